package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.registry.ResponseFailures.NotFound;
import dev.jbuild.registry.auth.Authenticator;
import dev.jbuild.registry.auth.Credential;
import dev.jbuild.registry.http.HttpExecutor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Tests for {@link ResponseFailures}: which exception and which words each failure gets. */
class ResponseFailuresTest {
  private static final String ACTION = "pull manifest reg.example:5000/a/b:v1";
  private static final String PREFIX = "Tried to " + ACTION + " but failed because: ";

  private static ResponseFailures failures(Optional<Credential> credential) {
    URI base = URI.create("http://reg.example:5000");
    HttpExecutor http = HttpExecutor.create(RegistryOptions.defaults().timeouts(), "test");
    return new ResponseFailures(
        new RegistryTarget("reg.example:5000", "a/b", new RegistryUrls(base, "a/b")),
        new Authenticator(http, base, "reg.example:5000", credential));
  }

  private static final ResponseFailures ANONYMOUS = failures(Optional.empty());

  private static byte[] errors(String code, String message) {
    return ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void fromStatus_unauthorizedWithoutCredentials_saysHowToLogIn() {
    RegistryException e = ANONYMOUS.fromStatus(ACTION, 401, new byte[0], NotFound.OTHER);
    assertEquals(RegistryUnauthorizedException.class, e.getClass());
    assertEquals(PREFIX + "HTTP 401 (no credentials are configured for reg.example:5000; log in"
        + " with `docker login reg.example:5000`)", e.getMessage());
  }

  @Test
  void fromStatus_unauthorizedWithCredentials_saysTheyWereRejected() {
    RegistryException e = failures(Optional.of(new Credential("u", "p")))
        .fromStatus(ACTION, 401, errors("UNAUTHORIZED", "authentication required"), NotFound.OTHER);
    assertEquals(PREFIX + "UNAUTHORIZED: authentication required (the registry rejected the"
        + " credentials for reg.example:5000)", e.getMessage());
    assertEquals(Optional.of("UNAUTHORIZED"), e.errorCode());
  }

  @Test
  void fromStatus_notFoundWithoutCode_dependsOnTheEndpoint() {
    assertEquals(ManifestUnknownException.class,
        ANONYMOUS.fromStatus(ACTION, 404, new byte[0], NotFound.MANIFEST).getClass());
    assertEquals(BlobUnknownException.class,
        ANONYMOUS.fromStatus(ACTION, 404, new byte[0], NotFound.BLOB).getClass());
    assertEquals(RegistryException.class,
        ANONYMOUS.fromStatus(ACTION, 404, new byte[0], NotFound.OTHER).getClass());
  }

  @Test
  void fromStatus_blobUnknownCode_onlyMeansAMissingBlobWhereABlobWasAskedFor() {
    byte[] body = errors("BLOB_UNKNOWN", "blob unknown to registry");
    assertEquals(BlobUnknownException.class,
        ANONYMOUS.fromStatus(ACTION, 404, body, NotFound.BLOB).getClass());
    assertEquals(RegistryException.class,
        ANONYMOUS.fromStatus(ACTION, 404, body, NotFound.MANIFEST).getClass());
  }

  @Test
  void fromStatus_htmlBody_isNotQuoted_andLongTextIsCut() {
    assertEquals(PREFIX + "HTTP 500", ANONYMOUS.fromStatus(ACTION, 500,
        "<html>oops</html>".getBytes(StandardCharsets.UTF_8), NotFound.OTHER).getMessage());
    String message = ANONYMOUS.fromStatus(ACTION, 500,
        "x".repeat(300).getBytes(StandardCharsets.UTF_8), NotFound.OTHER).getMessage();
    assertEquals(PREFIX + "HTTP 500: " + "x".repeat(200) + "…", message);
  }

  @Test
  void fromTransport_refusedConnection_isPermanentAndSaysWhatToCheck() {
    RegistryException e = ANONYMOUS.fromTransport(ACTION, new ConnectException("refused"));
    assertEquals(PREFIX + "cannot connect to reg.example:5000 (connection refused). Is the"
        + " registry running?", e.getMessage());
    assertFalse(e.isTransient());
  }

  @Test
  void fromTransport_timeout_isTransient() {
    RegistryException e = ANONYMOUS.fromTransport(ACTION, new SocketTimeoutException("slow"));
    assertEquals(PREFIX + "reg.example:5000 did not answer in time (slow)", e.getMessage());
    assertTrue(e.isTransient());
  }

  @Test
  void fromTransport_failedTlsHandshake_isNotRetriedAndSuggestsInsecure() {
    RegistryException tls = ANONYMOUS.fromTransport(ACTION, new SSLHandshakeException("plain"));
    assertTrue(tls.getMessage().endsWith("If the registry serves plain HTTP, mark"
        + " reg.example:5000 as an insecure registry with --insecure-registry reg.example:5000"),
        tls.getMessage());
    assertFalse(tls.isTransient());
  }

  @Test
  void fromTransport_otherIoErrors_areTransient() {
    RegistryException e = ANONYMOUS.fromTransport(ACTION, new IOException("connection reset"));
    assertEquals(PREFIX + "I/O error talking to reg.example:5000: connection reset",
        e.getMessage());
    assertTrue(e.isTransient());
  }
}
