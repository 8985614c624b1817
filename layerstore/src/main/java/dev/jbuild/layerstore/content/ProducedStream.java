package dev.jbuild.layerstore.content;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;

/**
 * The bytes of a {@link DeferredBlob} as its {@link ContentStore.Producer} makes them, on a
 * thread of their own, for a reader that sends them on (a push): nothing is written to disk. A
 * failure of the producer (the snapshot is gone or gives other bytes) is thrown to the reader
 * at the end of the stream instead of a clean end; closing early stops the producer.
 */
final class ProducedStream extends FilterInputStream {
  private static final int PIPE = 1 << 20;
  private volatile IOException failure;
  private final Thread thread;

  private ProducedStream(PipedInputStream in, Thread producerThread) {
    super(in);
    this.thread = producerThread;
  }

  /** Starts {@code producer} on {@code blob}; the caller closes the stream. */
  static InputStream start(ContentStore.Producer producer, DeferredBlob blob) throws IOException {
    PipedInputStream in = new PipedInputStream(PIPE);
    PipedOutputStream out = new PipedOutputStream(in);
    ProducedStream[] self = new ProducedStream[1];
    Thread thread = new Thread(() -> {
      try (out) {
        producer.stream(blob, out);
      } catch (IOException e) {
        self[0].failure = e;
      } catch (RuntimeException e) {
        self[0].failure = new IOException("Tried to make layer blob " + blob.blob().digest()
            + " but failed because: " + e, e);
      }
    }, "jbuild-blob-" + blob.blob().digest().shortHex());
    thread.setDaemon(true);
    self[0] = new ProducedStream(in, thread);
    thread.start();
    return self[0];
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) {
      atEnd();
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n < 0) {
      atEnd();
    }
    return n;
  }

  private void atEnd() throws IOException {
    try {
      thread.join(); // the producer closed the pipe: it has finished or failed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while making a layer blob");
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
