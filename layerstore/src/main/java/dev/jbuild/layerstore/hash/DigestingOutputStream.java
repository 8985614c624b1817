package dev.jbuild.layerstore.hash;

import dev.jbuild.layerstore.oci.Digest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Computes the sha256 digest and the byte count of everything written through it, then passes the
 * bytes on. Not thread-safe. Closing closes the delegate.
 */
public final class DigestingOutputStream extends FilterOutputStream {
  private final MessageDigest sha256 = Digest.newSha256();
  private long size;

  /** Wraps {@code out}. */
  public DigestingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    sha256.update((byte) b);
    size++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    sha256.update(b, off, len);
    size += len;
  }

  /** The number of bytes written so far. */
  public long size() {
    return size;
  }

  /** The digest of the bytes written so far; call once, when done. */
  public Digest digest() {
    return Digest.ofSha256(sha256.digest());
  }
}
