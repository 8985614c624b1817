package dev.jbuild.registry.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an {@link InputStream} whose reads time out as the exchange's
 * {@link ExchangeWatch} says (a deadline for small requests, a stall limit for blob transfers).
 * The JDK's own {@code BodySubscribers.ofInputStream()} blocks forever when a server stops sending
 * in the middle of a body; a registry that stalls must instead produce a
 * {@link SocketTimeoutException} so the caller can retry (the same contract as a socket read
 * timeout).
 *
 * <p>Keeps a few buffers of demand outstanding so reading never waits for a round trip of the
 * subscription.
 */
final class TimedBodySubscriber extends InputStream
    implements HttpResponse.BodySubscriber<InputStream> {
  private static final int PREFETCH = 8;
  private static final Object END = new Object();

  private final ExchangeWatch watch;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final CompletableFuture<InputStream> body = CompletableFuture.completedFuture(this);
  private volatile Flow.Subscription subscription;
  private ByteBuffer current;
  private boolean ended;
  private boolean closed;

  TimedBodySubscriber(ExchangeWatch watch) {
    this.watch = watch;
  }

  @Override
  public CompletionStage<InputStream> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(PREFETCH);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    for (ByteBuffer buffer : item) {
      if (buffer.hasRemaining()) {
        queue.add(buffer);
      }
    }
    // One batch consumed from the client's point of view; ask for the next as soon as the reader
    // takes this one (see next()).
    queue.add(Boolean.TRUE);
  }

  @Override
  public void onError(Throwable throwable) {
    queue.add(throwable);
  }

  @Override
  public void onComplete() {
    queue.add(END);
  }

  /** The next buffer with data, or null at the end of the body. */
  private ByteBuffer next() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    while (current == null || !current.hasRemaining()) {
      if (ended) {
        return null;
      }
      Object item;
      try {
        item = queue.poll(watch.nextWaitNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cancel();
        throw new java.io.InterruptedIOException("interrupted while reading a response body");
      }
      if (item == null) {
        try {
          watch.check("send more of the response to");
        } catch (SocketTimeoutException e) {
          cancel();
          throw e;
        }
        continue;
      }
      if (item == END) {
        ended = true;
      } else if (item instanceof Throwable) {
        ended = true;
        Throwable t = (Throwable) item;
        throw t instanceof IOException ? (IOException) t
            : new IOException(t.getMessage() == null ? t.toString() : t.getMessage(), t);
      } else if (item instanceof Boolean) {
        subscription.request(1);
      } else {
        current = (ByteBuffer) item;
        watch.progress(current.remaining());
      }
    }
    return current;
  }

  @Override
  public int read() throws IOException {
    ByteBuffer buffer = next();
    return buffer == null ? -1 : buffer.get() & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    ByteBuffer buffer = next();
    if (buffer == null) {
      return -1;
    }
    int n = Math.min(len, buffer.remaining());
    buffer.get(b, off, n);
    return n;
  }

  @Override
  public int available() {
    return current == null ? 0 : current.remaining();
  }

  /** Cancels the exchange unless the body was read to its end (then the connection is reused). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!ended) {
      cancel();
    }
    queue.clear();
  }

  private void cancel() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }
}
