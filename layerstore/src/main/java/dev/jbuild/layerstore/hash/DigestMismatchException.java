package dev.jbuild.layerstore.hash;

import dev.jbuild.layerstore.oci.Digest;
import java.io.IOException;

/**
 * Content did not hash to (or was not the size of) what its descriptor promised: a corrupt blob,
 * a truncated download or a wrong DiffID. Never ignore it; the content must not be used.
 */
public final class DigestMismatchException extends IOException {
  private final Digest expected;
  private final Digest actual;

  /**
   * @param expected the digest that was promised
   * @param actual the digest computed, or null when the size was already wrong
   * @param detail what was being checked
   */
  public DigestMismatchException(Digest expected, Digest actual, String detail) {
    super("Tried to verify content " + expected + " but failed because: " + detail
        + (actual == null ? "" : " (actual digest " + actual + ")"));
    this.expected = expected;
    this.actual = actual;
  }

  /** The promised digest. */
  public Digest expected() {
    return expected;
  }

  /** The computed digest, or null if the check failed on size. */
  public Digest actual() {
    return actual;
  }
}
