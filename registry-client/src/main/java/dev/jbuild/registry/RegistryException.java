package dev.jbuild.registry;

import java.util.Optional;

/**
 * A registry operation failed. The message reads "Tried to <action> but failed because: <reason>"
 * and is meant for users as is; it never contains credentials.
 */
public class RegistryException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String errorCode;
  private final int statusCode;

  /**
   * @param message the full user-facing message
   * @param errorCode the registry's first error code (for example {@code MANIFEST_UNKNOWN}), or
   *     null
   * @param statusCode the HTTP status, or 0 when there was no response
   * @param cause the underlying exception, or null
   */
  public RegistryException(String message, String errorCode, int statusCode, Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
    this.statusCode = statusCode;
  }

  public RegistryException(String message) {
    this(message, null, 0, null);
  }

  public RegistryException(String message, Throwable cause) {
    this(message, null, 0, cause);
  }

  /** The registry's error code, for example {@code BLOB_UNKNOWN}, if it sent one. */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /** The HTTP status code, or 0 if the registry never answered. */
  public int statusCode() {
    return statusCode;
  }
}
