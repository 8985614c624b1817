package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.registry.auth.Credential;
import dev.jbuild.registry.testing.LocalRegistry;
import dev.jbuild.registry.testing.TokenServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-registry 2.8 in token mode with a token server that supports the OAuth2 POST flow:
 * login checks, push scopes, Docker's denied wording for a pull-only user.
 */
@Tag("registry")
class OAuthTokenRegistryTest {
  @TempDir static Path directory;
  private static TokenServer tokens;
  private static LocalRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    tokens = new TokenServer(directory.resolve("tokens"))
        .user("writer", "w-pass", false).user("reader", "r-pass", true);
    registry = tokens.startRegistry(directory.resolve("registry"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (tokens != null) {
      tokens.close();
    }
  }

  private static RegistryOptions as(String user, String password) {
    return RegistryOptions.defaults().withDockerConfigDirectory(null)
        .withCredential(registry.address(), new Credential(user, password));
  }

  @Test
  void checkLogin_acceptsGoodCredentials_rejectsBadOnes() throws Exception {
    RegistryClient.create(registry.address(), "", as("writer", "w-pass")).checkLogin();
    assertTrue(tokens.requests().contains("POST writer []"), tokens.requests().toString());
    RegistryUnauthorizedException e = assertThrows(RegistryUnauthorizedException.class,
        () -> RegistryClient.create(registry.address(), "", as("writer", "nope")).checkLogin());
    assertEquals("Tried to log in to " + registry.address() + " but failed because: the token"
        + " server 127.0.0.1 answered 401 to a request for a login (check the credentials for "
        + registry.address() + ")", e.getMessage());
  }

  @Test
  void pushByAPullOnlyUser_isDeniedInDockersWords() throws Exception {
    byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    Descriptor l = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(layer), layer.length);
    Descriptor c = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length);
    Map<Digest, byte[]> local = Map.of(l.digest(), layer, c.digest(), config);
    byte[] manifest = OciJson.toBytes(ImageManifest.oci(c, List.of(l)));
    ImageReference target = ImageReference.parse(registry.address() + "/a/b:v1");

    PushResult ok = ImagePusher.create(as("writer", "w-pass"), ProgressListener.NONE)
        .push(target, manifest, MediaTypes.OCI_MANIFEST, d -> BlobSource.of(local.get(d)));
    assertEquals(2, ok.blobsUploaded());
    assertTrue(tokens.requests().contains("POST writer [repository:a/b:pull,push]"),
        tokens.requests().toString());

    RegistryUnauthorizedException e = assertThrows(RegistryUnauthorizedException.class,
        () -> ImagePusher.create(as("reader", "r-pass"), ProgressListener.NONE).push(
            ImageReference.parse(registry.address() + "/a/b:v2"), manifest,
            MediaTypes.OCI_MANIFEST, d -> BlobSource.of(local.get(d))));
    assertTrue(e.getMessage().startsWith("push to " + registry.address() + "/a/b denied:"
        + " requested access to the resource is denied ("), e.getMessage());
    assertTrue(e.getMessage().contains("UNAUTHORIZED"), e.getMessage());
  }
}
