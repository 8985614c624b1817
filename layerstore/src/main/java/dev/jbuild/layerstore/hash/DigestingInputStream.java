package dev.jbuild.layerstore.hash;

import dev.jbuild.layerstore.oci.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Computes the sha256 digest and the byte count of everything read through it. {@code skip} reads
 * (so skipped bytes are hashed too) and marks are not supported. Not thread-safe.
 */
public class DigestingInputStream extends FilterInputStream {
  private final MessageDigest sha256 = Digest.newSha256();
  private long size;

  /** Wraps {@code in}. */
  public DigestingInputStream(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      sha256.update((byte) b);
      size++;
    } else {
      atEof();
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      sha256.update(b, off, n);
      size += n;
      afterRead();
    } else if (n < 0) {
      atEof();
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[8192];
    long left = n;
    while (left > 0) {
      int r = read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported while digesting");
  }

  /** Called after bytes were read; subclasses may check limits. */
  protected void afterRead() throws IOException {}

  /** Called when the delegate reports end of stream; subclasses may verify. */
  protected void atEof() throws IOException {}

  /** The number of bytes read so far. */
  public long size() {
    return size;
  }

  /** The digest of the bytes read so far; call once, when done. */
  public Digest digest() {
    return Digest.ofSha256(sha256.digest());
  }
}
