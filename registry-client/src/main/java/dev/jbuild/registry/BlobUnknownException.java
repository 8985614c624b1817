package dev.jbuild.registry;

/** The requested blob does not exist: {@code BLOB_UNKNOWN} or a 404 on a blob GET. */
public final class BlobUnknownException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public BlobUnknownException(String message, String errorCode, int statusCode) {
    super(message, errorCode, statusCode, null);
  }
}
