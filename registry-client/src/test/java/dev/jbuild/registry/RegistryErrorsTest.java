package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.testing.FakeServer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How error responses become exceptions and messages. */
class RegistryErrorsTest {
  private static RegistryClient client(FakeServer server) {
    return RegistryClient.create(server.address(), "a/b",
        RegistryOptions.defaults().withDockerConfigDirectory(null)
            .withRetryPolicy(RetryPolicy.none()));
  }

  @Test
  void denied_isUnauthorizedWithAPermissionHint() throws Exception {
    try (FakeServer server = new FakeServer(e -> FakeServer.respond(e, 403,
        Map.of("Content-Type", "application/json"),
        "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\"}]}"
            .getBytes(StandardCharsets.UTF_8)))) {
      RegistryUnauthorizedException e = assertThrows(RegistryUnauthorizedException.class,
          () -> client(server).pushManifest("v1", "{}".getBytes(), "application/x"));
      assertEquals("Tried to push manifest " + server.address() + "/a/b:v1 but failed because:"
          + " DENIED: requested access to the resource is denied (the credentials for "
          + server.address() + " lack permission for a/b)", e.getMessage());
      assertEquals(Optional.of("DENIED"), e.errorCode());
      assertEquals(403, e.statusCode());
    }
  }

  @Test
  void severalErrors_areAllReported() throws Exception {
    try (FakeServer server = new FakeServer(e -> FakeServer.respond(e, 400, Map.of(),
        ("{\"errors\":[{\"code\":\"MANIFEST_BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\","
            + "\"detail\":\"sha256:00\"},{\"code\":\"MANIFEST_INVALID\",\"message\":\"bad\"}]}")
            .getBytes(StandardCharsets.UTF_8)))) {
      RegistryException e = assertThrows(RegistryException.class,
          () -> client(server).pushManifest("v1", "{}".getBytes(), "application/x"));
      assertEquals("Tried to push manifest " + server.address() + "/a/b:v1 but failed because:"
          + " MANIFEST_BLOB_UNKNOWN: blob unknown to registry; MANIFEST_INVALID: bad",
          e.getMessage());
      assertEquals(RegistryException.class, e.getClass());
    }
  }

  @Test
  void plainTextError_isQuotedAfterTheStatus() throws Exception {
    try (FakeServer server = new FakeServer(e -> FakeServer.respond(e, 502, Map.of(),
        "upstream exploded\n".getBytes(StandardCharsets.UTF_8)))) {
      Digest digest = Digest.sha256("x");
      RegistryException e = assertThrows(RegistryException.class,
          () -> client(server).checkBlob(digest));
      // A HEAD response has no body, so only the status is known.
      assertEquals("Tried to check blob " + digest + " in " + server.address() + "/a/b but failed"
          + " because: HTTP 502", e.getMessage());
      RegistryException m = assertThrows(RegistryException.class,
          () -> client(server).pullManifest("v1"));
      assertEquals("Tried to pull manifest " + server.address() + "/a/b:v1 but failed because:"
          + " HTTP 502: upstream exploded", m.getMessage());
    }
  }

  @Test
  void notFoundWithoutBody_onManifest_isManifestUnknown() throws Exception {
    try (FakeServer server = new FakeServer(e -> FakeServer.respond(e, 404, Map.of(),
        new byte[0]))) {
      assertThrows(ManifestUnknownException.class, () -> client(server).pullManifest("v1"));
    }
  }
}
