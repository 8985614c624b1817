package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.registry.testing.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RegistryClient} against a real, anonymous docker-registry 2.8 on 127.0.0.1. */
@Tag("registry")
class RegistryClientRegistryTest {
  @TempDir static Path directory;
  private static LocalRegistry registry;
  private final Random random = new Random(42);

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = LocalRegistry.start(directory);
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private static RegistryClient client(String repository) {
    return RegistryClient.create(registry.address(), repository,
        RegistryOptions.defaults().withDockerConfigDirectory(null));
  }

  private byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  private static Descriptor push(RegistryClient client, String mediaType, byte[] bytes)
      throws Exception {
    Digest digest = Digest.sha256(bytes);
    client.pushBlob(digest, bytes.length, BlobSource.of(bytes));
    return Descriptor.of(mediaType, digest, bytes.length);
  }

  private static byte[] pull(RegistryClient client, Descriptor descriptor) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.pullBlob(descriptor, out);
    return out.toByteArray();
  }

  @Test
  void pushThenPull_byTagAndByDigest_returnsTheSameBytes() throws Exception {
    RegistryClient client = client("demo/roundtrip");
    byte[] layer1 = randomBytes(300_000);
    byte[] layer2 = randomBytes(17);
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
        .getBytes();
    Descriptor l1 = push(client, MediaTypes.DOCKER_LAYER_GZIP, layer1);
    Descriptor l2 = push(client, MediaTypes.DOCKER_LAYER_GZIP, layer2);
    Descriptor cfg = push(client, MediaTypes.DOCKER_CONFIG, config);
    byte[] manifest = OciJson.toBytes(ImageManifest.docker(cfg, List.of(l1, l2)));

    Digest pushed = client.pushManifest("v1", manifest, MediaTypes.DOCKER_MANIFEST);
    assertEquals(Digest.sha256(manifest), pushed);

    ManifestResponse byTag = client.pullManifest("v1");
    assertArrayEquals(manifest, byTag.bytes());
    assertEquals(MediaTypes.DOCKER_MANIFEST, byTag.mediaType());
    assertEquals(pushed, byTag.digest());
    ManifestResponse byDigest = client.pullManifest(pushed.toString());
    assertArrayEquals(manifest, byDigest.bytes());
    assertEquals(pushed, byDigest.digest());

    assertArrayEquals(layer1, pull(client, l1));
    assertArrayEquals(layer2, pull(client, l2));
    assertArrayEquals(config, pull(client, cfg));
    assertEquals(Optional.of(l1.size()), client.checkBlob(l1.digest()).map(Descriptor::size));
  }

  @Test
  void checkBlob_absentBlob_isEmpty() throws Exception {
    assertEquals(Optional.empty(),
        client("demo/absent").checkBlob(Digest.sha256(randomBytes(10))));
  }

  @Test
  void pushManifest_ociManifestByDigest_isPulledWithItsMediaType() throws Exception {
    RegistryClient client = client("demo/oci");
    Descriptor layer = push(client, MediaTypes.OCI_LAYER_GZIP, randomBytes(1000));
    Descriptor cfg = push(client, MediaTypes.OCI_CONFIG, "{}".getBytes());
    byte[] manifest = OciJson.toBytes(ImageManifest.oci(cfg, List.of(layer)));
    Digest digest = Digest.sha256(manifest);

    assertEquals(digest, client.pushManifest(digest.toString(), manifest, MediaTypes.OCI_MANIFEST));
    ManifestResponse pulled = client.pullManifest(digest.toString());
    assertEquals(MediaTypes.OCI_MANIFEST, pulled.mediaType());
    assertArrayEquals(manifest, pulled.bytes());
  }

  @Test
  void mountBlob_acrossRepositories_makesTheBlobAvailable() throws Exception {
    byte[] bytes = randomBytes(5000);
    Descriptor blob = push(client("demo/source"), MediaTypes.OCI_LAYER_GZIP, bytes);
    RegistryClient target = client("other/target");
    assertEquals(Optional.empty(), target.checkBlob(blob.digest()));

    assertTrue(target.mountBlob(blob.digest(), "demo/source"));

    assertTrue(target.checkBlob(blob.digest()).isPresent());
    assertArrayEquals(bytes, pull(target, blob));
  }

  @Test
  void mountBlob_missingInSource_returnsFalse() throws Exception {
    assertFalse(client("other/target2").mountBlob(Digest.sha256(randomBytes(8)), "demo/nothing"));
  }

  @Test
  void pullManifest_missingTag_saysManifestUnknown() {
    RegistryClient client = client("demo/missing");
    ManifestUnknownException e =
        assertThrows(ManifestUnknownException.class, () -> client.pullManifest("nope"));
    assertEquals("Tried to pull manifest " + registry.address() + "/demo/missing:nope but failed"
        + " because: MANIFEST_UNKNOWN: manifest unknown", e.getMessage());
    assertEquals(Optional.of("MANIFEST_UNKNOWN"), e.errorCode());
  }

  @Test
  void pullBlob_missingBlob_isBlobUnknown() {
    Descriptor missing = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256("x"), 1);
    BlobUnknownException e = assertThrows(BlobUnknownException.class,
        () -> client("demo/missing").pullBlob(missing, new ByteArrayOutputStream()));
    assertTrue(e.getMessage().startsWith("Tried to pull blob " + missing.digest()), e.getMessage());
  }

  @Test
  void pullBlob_wrongSize_failsVerification() throws Exception {
    RegistryClient client = client("demo/wrongsize");
    byte[] bytes = randomBytes(100);
    Descriptor blob = push(client, MediaTypes.OCI_LAYER_GZIP, bytes);
    Descriptor lying = Descriptor.of(blob.mediaType(), blob.digest(), 99);
    assertThrows(ContentVerificationException.class,
        () -> client.pullBlob(lying, new ByteArrayOutputStream()));
  }

  @Test
  void pushBlob_contentNotMatchingDigest_reportsDigestInvalid() {
    RegistryClient client = client("demo/baddigest");
    byte[] bytes = randomBytes(64);
    Digest wrong = Digest.sha256("something else");
    RegistryException e = assertThrows(RegistryException.class,
        () -> client.pushBlob(wrong, bytes.length, BlobSource.of(bytes)));
    assertTrue(e.getMessage().startsWith("Tried to push blob " + wrong + " to "
        + registry.address() + "/demo/baddigest but failed because: DIGEST_INVALID"),
        e.getMessage());
  }

  @Test
  void pushBlob_sourceShorterThanSize_isALocalIoError() {
    RegistryClient client = client("demo/short");
    byte[] bytes = randomBytes(64);
    IOException e = assertThrows(IOException.class,
        () -> client.pushBlob(Digest.sha256(bytes), 65, BlobSource.of(bytes)));
    assertTrue(e.getMessage().contains("has 64 bytes, but its declared size is 65"),
        e.getMessage());
  }

  @Test
  void pushBlob_failingSource_propagatesTheSourceException() {
    RegistryClient client = client("demo/failing");
    IOException e = assertThrows(IOException.class,
        () -> client.pushBlob(Digest.sha256("abc"), 3, () -> new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("disk on fire");
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            throw new IOException("disk on fire");
          }
        }));
    assertEquals("disk on fire", e.getMessage());
  }

  @Test
  void anyCall_registryNotRunning_saysConnectionRefused() throws Exception {
    String address = "127.0.0.1:" + LocalRegistry.freePort();
    RegistryClient client = RegistryClient.create(address, "a/b",
        RegistryOptions.defaults().withDockerConfigDirectory(null));
    Digest digest = Digest.sha256("abc");
    RegistryException e = assertThrows(RegistryException.class,
        () -> client.pushBlob(digest, 3, BlobSource.of("abc".getBytes())));
    assertEquals("Tried to push blob " + digest + " to " + address + "/a/b but failed because:"
        + " cannot connect to " + address + " (connection refused). Is the registry running?",
        e.getMessage());
  }
}
