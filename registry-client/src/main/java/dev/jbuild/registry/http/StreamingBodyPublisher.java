package dev.jbuild.registry.http;

import com.google.api.client.util.StreamingContent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns google-http-client's push-style {@link StreamingContent} ({@code writeTo(OutputStream)})
 * into the pull-style publisher the JDK client wants, without buffering the body: a writer thread
 * runs {@code writeTo} and its {@code write} calls block until the client asks for more data
 * (reactive-streams demand). Bodies of hundreds of megabytes therefore stream with one buffer in
 * flight.
 *
 * <p>Each subscription runs {@code writeTo} again, so a body can be resent.
 */
final class StreamingBodyPublisher implements HttpRequest.BodyPublisher {
  private static final int CHUNK = 256 * 1024;

  private final StreamingContent content;
  private final long length;
  private final Executor writers;
  private final AtomicLong progress;

  /**
   * @param length the exact body length, or -1 for chunked transfer encoding
   * @param progress incremented with every byte handed to the client, so a watchdog can tell a slow
   *     upload from a stalled one
   */
  StreamingBodyPublisher(StreamingContent content, long length, Executor writers,
      AtomicLong progress) {
    this.content = content;
    this.length = length;
    this.writers = writers;
    this.progress = progress;
  }

  @Override
  public long contentLength() {
    return length;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    Pump pump = new Pump(subscriber);
    subscriber.onSubscribe(pump);
    writers.execute(pump::run);
  }

  /** One subscription: the writer thread and the demand it waits for. */
  private final class Pump extends OutputStream implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final Object lock = new Object();
    private long demand;
    private boolean cancelled;
    private byte[] buffer = new byte[CHUNK];
    private int filled;

    Pump(Flow.Subscriber<? super ByteBuffer> subscriber) {
      this.subscriber = subscriber;
    }

    void run() {
      try {
        content.writeTo(this);
        emit();
      } catch (IOException | RuntimeException e) {
        if (!isCancelled()) {
          subscriber.onError(e);
        }
        return;
      }
      if (!isCancelled()) {
        subscriber.onComplete();
      }
    }

    @Override
    public void request(long n) {
      synchronized (lock) {
        if (n <= 0) {
          cancelled = true;
          subscriber.onError(new IllegalArgumentException("non-positive demand " + n));
        } else {
          demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        }
        lock.notifyAll();
      }
    }

    @Override
    public void cancel() {
      synchronized (lock) {
        cancelled = true;
        lock.notifyAll();
      }
    }

    private boolean isCancelled() {
      synchronized (lock) {
        return cancelled;
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int n = Math.min(len, buffer.length - filled);
        System.arraycopy(b, off, buffer, filled, n);
        filled += n;
        off += n;
        len -= n;
        if (filled == buffer.length) {
          emit();
        }
      }
    }

    @Override
    public void flush() {
      // Batching into CHUNK-sized buffers is the point; writeTo's flush must not defeat it.
    }

    /** Hands the buffered bytes to the client once it has demand. */
    private void emit() throws IOException {
      if (filled == 0) {
        return;
      }
      synchronized (lock) {
        while (demand == 0 && !cancelled) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending a request body");
          }
        }
        if (cancelled) {
          throw new IOException("the request was cancelled while its body was being sent");
        }
        demand--;
      }
      ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, filled);
      progress.addAndGet(filled);
      // The client may hold on to the buffer after onNext returns, so never reuse it.
      buffer = new byte[CHUNK];
      filled = 0;
      subscriber.onNext(chunk);
    }
  }
}
