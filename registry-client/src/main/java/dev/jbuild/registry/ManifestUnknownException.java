package dev.jbuild.registry;

/** The requested manifest (tag or digest) does not exist: {@code MANIFEST_UNKNOWN} or a 404. */
public final class ManifestUnknownException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public ManifestUnknownException(String message, String errorCode, int statusCode) {
    super(message, errorCode, statusCode, null);
  }
}
