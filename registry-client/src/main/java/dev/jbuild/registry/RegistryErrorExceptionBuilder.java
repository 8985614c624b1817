package dev.jbuild.registry;

import dev.jbuild.registry.auth.AuthenticationException;

/**
 * Builds the exceptions of one registry action, all worded "Tried to &lt;action&gt; but failed
 * because: &lt;reason&gt;" — the one place that spells the sentence out. The idea is Jib's
 * {@code RegistryErrorExceptionBuilder} ({@code jib-core/.../registry/}); the code is our own.
 *
 * <p>Immutable; the exceptions it returns are new on every call.
 */
final class RegistryErrorExceptionBuilder {
  private final String action;

  /** @param action what was tried, completing "Tried to …", e.g. "pull blob sha256:… from r/x" */
  RegistryErrorExceptionBuilder(String action) {
    this.action = action;
  }

  /** The user-facing message for {@code reason}. */
  String message(String reason) {
    return "Tried to " + action + " but failed because: " + reason;
  }

  /** A permanent failure: trying again gets the same answer. */
  RegistryException failure(String reason) {
    return new RegistryException(message(reason));
  }

  /** A permanent failure caused by {@code cause}. */
  RegistryException failure(String reason, Throwable cause) {
    return new RegistryException(message(reason), cause);
  }

  /** A failure that may go away if the whole operation is tried again (a short or odd answer). */
  RegistryException transientFailure(String reason) {
    return new RegistryException(message(reason)).markTransient(null);
  }

  /** The registry's content does not match a digest, size or media type; never retried. */
  ContentVerificationException contentMismatch(String reason) {
    return new ContentVerificationException(message(reason));
  }

  /** Getting or using credentials failed before the registry could answer. */
  RegistryUnauthorizedException unauthorized(AuthenticationException e) {
    return new RegistryUnauthorizedException(message(e.getMessage()), "UNAUTHORIZED", 401, e);
  }
}
