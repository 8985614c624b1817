package dev.jbuild.registry;

/**
 * Content from the registry did not match what was asked for: wrong digest or size, or a
 * {@code Docker-Content-Digest} header that disagrees with the bytes. Whatever was written must be
 * discarded.
 */
public final class ContentVerificationException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public ContentVerificationException(String message) {
    super(message);
  }
}
