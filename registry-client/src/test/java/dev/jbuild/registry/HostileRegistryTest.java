package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.registry.testing.FakeServer;
import dev.jbuild.registry.testing.HostileServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #10 item 5: {@link RegistryClient} against registries that hang or answer what no retry
 * can fix. Asserts outcomes and request counts; time bounds only as generous deadlines.
 */
class HostileRegistryTest {
  private static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\""
      + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG
      + "\",\"digest\":\"" + Digest.sha256(new byte[0]) + "\",\"size\":0},\"layers\":[]}")
      .getBytes(StandardCharsets.UTF_8);

  /** 1 s per small request, 1.5 s of silence per transfer, 3 quick attempts. */
  private static RegistryOptions options(Duration requestTimeout) {
    return RegistryOptions.defaults().withDockerConfigDirectory(null)
        .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(1500))
        .withRequestTimeout(requestTimeout, Duration.ofMillis(500))
        .withRetryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10),
            Duration.ofSeconds(2)));
  }

  private static RegistryClient client(String address) {
    return RegistryClient.create(address, "hostile/app", options(Duration.ofSeconds(1)));
  }

  /** Same with a deadline no busy machine misses, for answers that do arrive. */
  private static RegistryClient patientClient(String address) {
    return RegistryClient.create(address, "hostile/app", options(Duration.ofSeconds(60)));
  }

  /** Accepts and never answers: each attempt ends at its deadline; timeouts are retried. */
  @Test
  void neverAnswering_manifestPull_endsAtTheDeadlineOfEachAttempt() throws Exception {
    try (HostileServer server = new HostileServer(HostileServer.Behaviour.SILENT)) {
      RegistryException e = assertThrows(RegistryException.class,
          () -> client(server.address()).pullManifest("v1"));
      assertEquals("Tried to pull manifest " + server.address() + "/hostile/app:v1 but failed"
          + " because: " + server.address() + " did not answer in time (GET"
          + " /v2/hostile/app/manifests/v1 did not complete within 1 s) (gave up after 3"
          + " attempts)", e.getMessage());
      assertEquals(3, server.connections());
    }
  }

  /** Headers, 1000 bytes, silence: the blob download fails after the silence limit. */
  @Test
  void stallingBlob_failsAfterTheSilenceLimit() throws Exception {
    try (HostileServer server = new HostileServer(HostileServer.Behaviour.STALL_MID_BODY)) {
      Descriptor blob = Descriptor.of(MediaTypes.OCI_LAYER_GZIP,
          Digest.sha256("whatever".getBytes(StandardCharsets.UTF_8)), 1_000_000);
      RegistryException e = assertThrows(RegistryException.class,
          () -> client(server.address()).pullBlob(blob, OutputStream.nullOutputStream()));
      assertTrue(e.getMessage().contains("did not answer in time (GET /v2/hostile/app/blobs/"
          + blob.digest() + " stalled: no data for 1.5 s after 1000 bytes)"), e.getMessage());
      assertEquals(3, server.requestLines().size(), server.requestLines().toString());
    }
  }

  /**
   * A manifest over the 16 MiB limit is refused after one request, whether announced by
   * Content-Length (then not even read) or streamed without one.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void oversizedManifest_isNotRetried(boolean announced) throws Exception {
    byte[] huge = new byte[RegistryClient.MAX_MANIFEST_BYTES + 1];
    try (FakeServer server = new FakeServer(exchange -> {
      exchange.getResponseHeaders().add("Content-Type", MediaTypes.OCI_MANIFEST);
      exchange.sendResponseHeaders(200, announced ? huge.length : 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(huge);
      } catch (java.io.IOException clientGaveUp) {
        // expected once the client has seen enough
      }
    })) {
      RegistryException e = assertThrows(RegistryException.class,
          () -> patientClient(server.address()).pullManifest("v1"));
      assertTrue(e.getMessage().startsWith("Tried to pull manifest " + server.address()
          + "/hostile/app:v1 but failed because: the registry sent more than the limit of 16"
          + " MiB"), e.getMessage());
      assertEquals(1, e.attempts());
      assertEquals(1, server.requests().size());
    }
  }

  /** A redirect loop is followed 10 times once, not once per retry. */
  @Test
  void redirectLoop_isNotRetried() throws Exception {
    try (FakeServer server = new FakeServer(
        exchange -> FakeServer.respond(exchange, 302, Map.of("Location", "/again"), new byte[0]))) {
      RegistryException e = assertThrows(RegistryException.class,
          () -> patientClient(server.address()).pullManifest("v1"));
      assertTrue(e.getMessage().contains("too many redirects (more than 10)"), e.getMessage());
      assertEquals(11, server.requests().size());
    }
  }

  /** Client errors other than 408 and 429 get the same answer on retry: one request each. */
  @ParameterizedTest
  @ValueSource(ints = {400, 403, 404, 405, 410})
  void clientErrors_areNotRetried(int status) throws Exception {
    try (FakeServer server = new FakeServer(exchange -> FakeServer.respond(exchange, status,
        Map.of(), new byte[0]))) {
      RegistryException e = assertThrows(RegistryException.class,
          () -> patientClient(server.address()).pullManifest("v1"));
      assertEquals(status, e.statusCode());
      assertEquals(1, e.attempts());
      assertEquals(1, server.requests().size());
    }
  }

  /** Throttling (with Retry-After) and unavailability are retried until the registry answers. */
  @Test
  void throttledThenUnavailable_isRetried_untilItAnswers() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (FakeServer server = new FakeServer(exchange -> {
      int n = calls.incrementAndGet();
      if (n == 1) {
        FakeServer.respond(exchange, 429, Map.of("Retry-After", "1"), new byte[0]);
      } else if (n == 2) {
        FakeServer.respond(exchange, 503, Map.of(), new byte[0]);
      } else {
        FakeServer.respond(exchange, 200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST),
            MANIFEST);
      }
    })) {
      ManifestResponse response = patientClient(server.address()).pullManifest("v1");
      assertEquals(Digest.sha256(MANIFEST), response.digest());
      assertEquals(3, server.requests().size());
    }
  }

  /** A blob that is not what its digest says is not downloaded again. */
  @Test
  void digestMismatch_isNotRetried() throws Exception {
    byte[] sent = "not the blob".getBytes(StandardCharsets.UTF_8);
    try (FakeServer server = new FakeServer(
        exchange -> FakeServer.respond(exchange, 200, Map.of(), sent))) {
      Descriptor blob = Descriptor.of(MediaTypes.OCI_LAYER_GZIP,
          Digest.sha256("the blob".getBytes(StandardCharsets.UTF_8)), sent.length);
      assertThrows(ContentVerificationException.class,
          () -> patientClient(server.address()).pullBlob(blob, new ByteArrayOutputStream()));
      assertEquals(1, server.requests().size());
    }
  }
}
