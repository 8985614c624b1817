package dev.jbuild.registry;

/**
 * The registry refused the request for lack of (valid) credentials or permissions: HTTP 401/403,
 * {@code UNAUTHORIZED} or {@code DENIED}, or a failed token exchange.
 */
public final class RegistryUnauthorizedException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public RegistryUnauthorizedException(
      String message, String errorCode, int statusCode, Throwable cause) {
    super(message, errorCode, statusCode, cause);
  }
}
