package dev.jbuild.layerstore.hash;

import dev.jbuild.layerstore.oci.Digest;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes bytes through and, at end of stream, throws {@link DigestMismatchException} unless they
 * hash to the expected digest (and, if known, have the expected size). A reader that stops before
 * the end gets no verdict, so consumers that need one must read to EOF (umoci's {@code
 * GetVerifiedBlob} works the same way).
 */
public final class VerifyingInputStream extends DigestingInputStream {
  private final Digest expected;
  private final long expectedSize;
  private final String what;
  private boolean verified;

  /**
   * @param in the raw content
   * @param expected the digest it must have (sha256)
   * @param expectedSize its size, or -1 if unknown
   * @param what what is being read, for error messages (for example a file path)
   */
  public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String what) {
    super(in);
    if (!"sha256".equals(expected.algorithm())) {
      throw new IllegalArgumentException("only sha256 content can be verified, got " + expected);
    }
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.what = what;
  }

  @Override
  protected void afterRead() throws IOException {
    if (expectedSize >= 0 && size() > expectedSize) {
      throw new DigestMismatchException(expected, null,
          what + " is larger than the expected " + expectedSize + " bytes");
    }
  }

  @Override
  protected void atEof() throws IOException {
    if (verified) {
      return;
    }
    verified = true;
    if (expectedSize >= 0 && size() != expectedSize) {
      throw new DigestMismatchException(expected, null,
          what + " has " + size() + " bytes, expected " + expectedSize);
    }
    Digest actual = digest();
    if (!actual.equals(expected)) {
      throw new DigestMismatchException(expected, actual, what + " is corrupt");
    }
  }
}
