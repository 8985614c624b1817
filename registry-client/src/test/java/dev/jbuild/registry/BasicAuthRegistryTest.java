package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.registry.auth.Credential;
import dev.jbuild.registry.testing.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RegistryClient} against docker-registry 2.8 with htpasswd (Basic) authentication. */
@Tag("registry")
class BasicAuthRegistryTest {
  private static final String USER = "jbuild";
  private static final String PASSWORD = "s3cret:with-colon";

  @TempDir static Path directory;
  private static LocalRegistry registry;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = LocalRegistry.startWithBasicAuth(directory.resolve("reg"), USER, PASSWORD);
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private static RegistryOptions options() {
    return RegistryOptions.defaults().withDockerConfigDirectory(null);
  }

  private static void pushAndPullImage(RegistryClient client, String tag) throws Exception {
    byte[] layer = ("layer of " + tag).getBytes(StandardCharsets.UTF_8);
    byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    Descriptor l = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(layer), layer.length);
    Descriptor c = Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.sha256(config), config.length);
    client.pushBlob(l.digest(), l.size(), BlobSource.of(layer));
    client.pushBlob(c.digest(), c.size(), BlobSource.of(config));
    byte[] manifest = OciJson.toBytes(ImageManifest.docker(c, List.of(l)));
    client.pushManifest(tag, manifest, MediaTypes.DOCKER_MANIFEST);

    assertArrayEquals(manifest, client.pullManifest(tag).bytes());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.pullBlob(l, out);
    assertArrayEquals(layer, out.toByteArray());
  }

  @Test
  void rightCredentials_fromOptions_pushAndPullWork() throws Exception {
    RegistryClient client = RegistryClient.create(registry.address(), "auth/options",
        options().withCredential(registry.address(), new Credential(USER, PASSWORD)));
    pushAndPullImage(client, "v1");
  }

  @Test
  void rightCredentials_fromDockerConfigJson_pushAndPullWork() throws Exception {
    Path dockerConfig = Files.createDirectories(directory.resolve("docker-config"));
    String auth = Base64.getEncoder()
        .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    Files.writeString(dockerConfig.resolve("config.json"),
        "{\"auths\":{\"other.example:5000\":{\"auth\":\"eDp5\"},"
            + "\"http://" + registry.address() + "/v2/\":{\"auth\":\"" + auth + "\"}}}");
    RegistryClient client = RegistryClient.create(registry.address(), "auth/config",
        RegistryOptions.defaults().withDockerConfigDirectory(dockerConfig));
    pushAndPullImage(client, "v2");
  }

  @Test
  void wrongPassword_isUnauthorizedWithoutLeakingIt() {
    RegistryClient client = RegistryClient.create(registry.address(), "auth/wrong",
        options().withCredential(registry.address(), new Credential(USER, "wrong-password")));
    RegistryUnauthorizedException e = assertThrows(RegistryUnauthorizedException.class,
        () -> client.pullManifest("v1"));
    assertEquals(401, e.statusCode());
    assertTrue(e.getMessage().startsWith("Tried to pull manifest " + registry.address()
        + "/auth/wrong:v1 but failed because: UNAUTHORIZED"), e.getMessage());
    assertTrue(e.getMessage().contains("rejected the credentials"), e.getMessage());
    assertTrue(!e.getMessage().contains("wrong-password"));
  }

  @Test
  void wrongPassword_onBlobPush_isUnauthorized() {
    RegistryClient client = RegistryClient.create(registry.address(), "auth/wrongpush",
        options().withCredential(registry.address(), new Credential(USER, "nope")));
    byte[] bytes = "abc".getBytes(StandardCharsets.UTF_8);
    assertThrows(RegistryUnauthorizedException.class,
        () -> client.pushBlob(Digest.sha256(bytes), 3, BlobSource.of(bytes)));
  }

  @Test
  void noCredentials_saysHowToLogIn() {
    RegistryClient client = RegistryClient.create(registry.address(), "auth/none", options());
    RegistryUnauthorizedException e = assertThrows(RegistryUnauthorizedException.class,
        () -> client.checkBlob(Digest.sha256("x")));
    assertEquals("Tried to check blob " + Digest.sha256("x") + " in " + registry.address()
        + "/auth/none but failed because: the registry " + registry.address() + " requires a"
        + " user name and password, and none is configured (log in with `docker login "
        + registry.address() + "` or pass credentials)", e.getMessage());
  }

  @Test
  void manifestPutWithoutPriorChallenge_authenticatesAndSucceeds() throws Exception {
    // The first request is a PUT with a body: HttpURLConnection cannot return its 401 with
    // headers, so the client must fetch the challenge from /v2/ and resend.
    RegistryClient pusher = RegistryClient.create(registry.address(), "auth/manifestfirst",
        options().withCredential(registry.address(), new Credential(USER, PASSWORD)));
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    Descriptor c = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), 2);
    pusher.pushBlob(c.digest(), 2, BlobSource.of(config));
    byte[] manifest = OciJson.toBytes(ImageManifest.oci(c, List.of()));

    RegistryClient fresh = RegistryClient.create(registry.address(), "auth/manifestfirst",
        options().withCredential(registry.address(), new Credential(USER, PASSWORD)));
    assertEquals(Digest.sha256(manifest),
        fresh.pushManifest("first", manifest, MediaTypes.OCI_MANIFEST));
  }
}
