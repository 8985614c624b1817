package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.registry.auth.AuthenticationException;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tests for {@link RegistryErrorExceptionBuilder}. */
class RegistryErrorExceptionBuilderTest {
  private final RegistryErrorExceptionBuilder errors =
      new RegistryErrorExceptionBuilder("pull blob sha256:ab from r/x");

  @Test
  void failure_wordsTheActionAndReason_andIsPermanent() {
    RegistryException e = errors.failure("the registry sent no Content-Length");
    assertEquals("Tried to pull blob sha256:ab from r/x but failed because: the registry sent no"
        + " Content-Length", e.getMessage());
    assertEquals(RegistryException.class, e.getClass());
    assertFalse(e.isTransient());
    assertEquals(0, e.statusCode());
  }

  @Test
  void failureWithCause_keepsTheCause() {
    IOException cause = new IOException("bad json");
    assertSame(cause, errors.failure("not JSON", cause).getCause());
  }

  @Test
  void transientFailure_isRetryable() {
    RegistryException e = errors.transientFailure("the registry sent 3 of 5 bytes");
    assertTrue(e.isTransient());
    assertEquals("Tried to pull blob sha256:ab from r/x but failed because: the registry sent 3"
        + " of 5 bytes", e.getMessage());
  }

  @Test
  void contentMismatch_isAVerificationFailure_neverRetried() {
    RegistryException e = errors.contentMismatch("the content's digest is sha256:cd");
    assertEquals(ContentVerificationException.class, e.getClass());
    assertFalse(e.isTransient());
  }

  @Test
  void unauthorized_carriesTheAuthenticationFailure() {
    AuthenticationException cause = new AuthenticationException("the token server said 500");
    RegistryUnauthorizedException e = errors.unauthorized(cause);
    assertEquals("Tried to pull blob sha256:ab from r/x but failed because: the token server"
        + " said 500", e.getMessage());
    assertEquals(Optional.of("UNAUTHORIZED"), e.errorCode());
    assertEquals(401, e.statusCode());
    assertSame(cause, e.getCause());
  }
}
