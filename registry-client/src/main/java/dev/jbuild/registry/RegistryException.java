package dev.jbuild.registry;

import java.time.Duration;
import java.util.Optional;

/**
 * A registry operation failed. The message reads "Tried to <action> but failed because: <reason>"
 * and is meant for users as is; it never contains credentials.
 */
public class RegistryException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String errorCode;
  private final int statusCode;
  private boolean transientFailure;
  private Duration retryAfter;
  private int attempts = 1;

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

  /**
   * Marks this failure as transient (a dropped connection, {@code 5xx}, {@code 429}): the same
   * operation may succeed if tried again, after {@code retryAfter} if the registry said so.
   */
  RegistryException markTransient(Duration retryAfter) {
    this.transientFailure = true;
    this.retryAfter = retryAfter;
    return this;
  }

  /** Records that the operation was tried {@code attempts} times before giving up. */
  RegistryException gaveUpAfter(int attempts) {
    this.attempts = attempts;
    return this;
  }

  /** True if trying the same operation again may succeed. */
  public boolean isTransient() {
    return transientFailure;
  }

  /** The registry's {@code Retry-After}, if it sent one. */
  Duration retryAfter() {
    return retryAfter;
  }

  /** How many times the operation was tried (1 when it was not retried). */
  public int attempts() {
    return attempts;
  }

  /** The message, saying how often the operation was tried when it was retried. */
  @Override
  public String getMessage() {
    String message = super.getMessage();
    return attempts > 1 ? message + " (gave up after " + attempts + " attempts)" : message;
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
