package dev.jbuild.registry.auth;

/**
 * Authentication with a registry failed: missing or rejected credentials, or a token server
 * that did not answer with a token. The message says what went wrong and never contains
 * credentials.
 */
public final class AuthenticationException extends Exception {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message) {
    super(message);
  }

  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
