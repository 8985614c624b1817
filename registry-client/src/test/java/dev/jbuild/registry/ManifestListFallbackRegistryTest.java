package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.testing.FaultProxy;
import dev.jbuild.registry.testing.FaultProxy.Fault;
import dev.jbuild.registry.testing.LocalRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ImagePusher} and a registry that refuses the OCI index media type (older Harbor, Quay,
 * ECR): a real docker-registry 2.8 behind {@link FaultProxy}, which answers OCI index PUTs with
 * {@code 400 MANIFEST_INVALID} or {@code 415} (no real registry here refuses them). The registry
 * must end up holding a Docker manifest list of both platforms, read back with skopeo. One
 * registry for the class; each test pushes its own repository.
 */
@Tag("registry")
class ManifestListFallbackRegistryTest {
  @TempDir static Path directory;
  private static LocalRegistry registry;
  private final Random random = new Random(16);
  private final Map<Digest, byte[]> local = new ConcurrentHashMap<>();
  private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
  private final ProgressListener listener = new ProgressListener() {
    @Override
    public void warning(String message) {
      warnings.add(message);
    }
  };

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = LocalRegistry.start(directory.resolve("registry"));
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private ImagePusher pusher() {
    return ImagePusher.create(RegistryOptions.defaults().withDockerConfigDirectory(null),
        listener);
  }

  private Descriptor blob(String mediaType, byte[] bytes) {
    Digest digest = Digest.sha256(bytes);
    local.put(digest, bytes);
    return Descriptor.of(mediaType, digest, bytes.length);
  }

  private BlobSource.Provider provider() {
    return digest -> {
      byte[] bytes = local.get(digest);
      if (bytes == null) {
        throw new IOException("no local blob " + digest);
      }
      return BlobSource.of(bytes);
    };
  }

  /** A Docker schema 2 image for {@code arch}, as an index entry with its platform. */
  private Descriptor image(String arch, String manifestMediaType) {
    byte[] layerBytes = new byte[200];
    random.nextBytes(layerBytes);
    boolean oci = MediaTypes.OCI_MANIFEST.equals(manifestMediaType);
    Descriptor layer = blob(oci ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.DOCKER_LAYER_GZIP,
        layerBytes);
    Descriptor config = blob(oci ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG,
        ("{\"architecture\":\"" + arch
        + "\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + Digest.sha256(layerBytes) + "\"]}}").getBytes(StandardCharsets.UTF_8));
    ImageManifest manifest = oci ? ImageManifest.oci(config, List.of(layer)) : ImageManifest.docker(config, List.of(layer));
    Descriptor m = blob(manifestMediaType, OciJson.toBytes(manifest));
    return new Descriptor(m.mediaType(), m.digest(), m.size(), Map.of(),
        new Platform(arch, "linux", null));
  }

  /** An OCI index of an amd64 and an arm64 Docker image, with an annotation on the index. */
  private byte[] ociIndex() {
    return OciJson.toBytes(new ImageIndex(2, MediaTypes.OCI_INDEX, List.of(
        image("amd64", MediaTypes.DOCKER_MANIFEST), image("arm64", MediaTypes.DOCKER_MANIFEST)),
        Map.of("org.opencontainers.image.created", "2026-12-02T09:00:00Z")));
  }

  private static String skopeoRaw(String reference) throws Exception {
    Process p = new ProcessBuilder("skopeo", "inspect", "--raw", "--tls-verify=false",
        "docker://" + reference).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "skopeo inspect --raw " + reference + ": " + out);
    return out;
  }

  /** The registry holds a Docker list naming exactly the index's entries and platforms. */
  private static void assertDockerListOf(byte[] index, String raw) throws Exception {
    JsonNode list = OciJson.mapper().readTree(raw);
    JsonNode oci = OciJson.mapper().readTree(index);
    assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, list.path("mediaType").asText(), raw);
    assertEquals(2, list.path("schemaVersion").asInt(), raw);
    assertEquals(2, list.path("manifests").size(), raw);
    for (int i = 0; i < 2; i++) {
      JsonNode want = oci.path("manifests").get(i);
      JsonNode got = list.path("manifests").get(i);
      for (String field : List.of("mediaType", "digest", "size", "platform")) {
        assertEquals(want.path(field), got.path(field), field + " of entry " + i + ": " + raw);
      }
    }
    assertTrue(list.path("annotations").isMissingNode(), "a Docker list has no annotations");
  }

  @Test
  void ociIndexRefusedWith400_isPushedAsADockerManifestList_withOneWarning() throws Exception {
    byte[] index = ociIndex();
    try (FaultProxy proxy = new FaultProxy(registry.address())) {
      proxy.inject("PUT", "/manifests/", MediaTypes.OCI_INDEX, Fault.MANIFEST_INVALID, 100);
      ImageReference target = ImageReference.parse(proxy.address() + "/fallback/app:1");
      PushedImage pushed = pusher().pushImage(target, index, MediaTypes.OCI_INDEX, provider(),
          MountHints.NONE, IndexFormat.OCI_ELSE_DOCKER_LIST);

      assertEquals(1, proxy.injected(Fault.MANIFEST_INVALID), proxy.log().toString());
      String raw = skopeoRaw(registry.address() + "/fallback/app:1");
      assertDockerListOf(index, raw);
      // The digest reported is that of the bytes the registry holds, which were sent once.
      Digest held = Digest.sha256(raw.getBytes(StandardCharsets.UTF_8));
      assertEquals(held, pushed.result().digest());
      assertEquals(new Descriptor(MediaTypes.DOCKER_MANIFEST_LIST, held, raw.length(), Map.of(),
          null), pushed.manifest());
      assertEquals(raw.length(), pushed.result().size());
      assertEquals(4, pushed.result().blobsUploaded()); // two configs, two layers
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("refused the OCI image index")
          && warnings.get(0).contains("HTTP 400 MANIFEST_INVALID")
          && warnings.get(0).contains(held.toString()), warnings.get(0));
      // Children went once each, by digest; the list went once, after the one refusal.
      List<String> manifestPuts = proxy.log().stream()
          .filter(l -> l.startsWith("PUT") && l.contains("/manifests/")).toList();
      assertEquals(4, manifestPuts.size(), manifestPuts.toString());
      assertTrue(manifestPuts.get(3).contains(MediaTypes.DOCKER_MANIFEST_LIST),
          manifestPuts.toString());
    }
  }

  @Test
  void ociIndexRefusedWith415_byTheDefaultPush_isPushedAsADockerManifestList() throws Exception {
    byte[] index = ociIndex();
    try (FaultProxy proxy = new FaultProxy(registry.address())) {
      proxy.inject("PUT", "/manifests/", MediaTypes.OCI_INDEX, Fault.UNSUPPORTED_MEDIA_TYPE, 100);
      PushResult result = pusher().push(ImageReference.parse(proxy.address() + "/fallback/b:1"),
          index, MediaTypes.OCI_INDEX, provider());
      String raw = skopeoRaw(registry.address() + "/fallback/b:1");
      assertDockerListOf(index, raw);
      assertEquals(Digest.sha256(raw.getBytes(StandardCharsets.UTF_8)), result.digest());
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("HTTP 415"), warnings.get(0));
    }
  }

  @Test
  void accepted_ociIndexIsPushedAsGiven_noWarning() throws Exception {
    byte[] index = ociIndex();
    PushResult result = pusher().push(ImageReference.parse(registry.address() + "/plain/a:1"),
        index, MediaTypes.OCI_INDEX, provider());
    assertEquals(Digest.sha256(index), result.digest());
    assertEquals(new String(index, StandardCharsets.UTF_8),
        skopeoRaw(registry.address() + "/plain/a:1"));
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void dockerList_isPushedWithoutTryingTheOciIndex() throws Exception {
    byte[] index = ociIndex();
    try (FaultProxy proxy = new FaultProxy(registry.address())) {
      PushedImage pushed = pusher().pushImage(
          ImageReference.parse(proxy.address() + "/explicit/app:1"), index, MediaTypes.OCI_INDEX,
          provider(), MountHints.NONE, IndexFormat.DOCKER_LIST);
      String raw = skopeoRaw(registry.address() + "/explicit/app:1");
      assertDockerListOf(index, raw);
      assertEquals(Digest.sha256(raw.getBytes(StandardCharsets.UTF_8)), pushed.manifest().digest());
      assertFalse(proxy.log().stream().anyMatch(l -> l.contains(MediaTypes.OCI_INDEX)),
          proxy.log().toString());
      assertTrue(warnings.isEmpty(), "an asked-for list is no warning: " + warnings);
    }
  }

  @Test
  void ociOnly_refusalFailsThePush_withTheRegistrysReason() throws Exception {
    byte[] index = ociIndex();
    try (FaultProxy proxy = new FaultProxy(registry.address())) {
      proxy.inject("PUT", "/manifests/", MediaTypes.OCI_INDEX, Fault.MANIFEST_INVALID, 100);
      RegistryException e = assertThrows(RegistryException.class, () -> pusher().pushImage(
          ImageReference.parse(proxy.address() + "/strict/app:1"), index, MediaTypes.OCI_INDEX,
          provider(), MountHints.NONE, IndexFormat.OCI));
      assertEquals(400, e.statusCode());
      assertEquals("MANIFEST_INVALID", e.errorCode().orElseThrow());
      assertFalse(proxy.log().stream().anyMatch(l -> l.contains(MediaTypes.DOCKER_MANIFEST_LIST)),
          proxy.log().toString());
      assertTrue(warnings.isEmpty(), warnings.toString());
    }
  }

  @Test
  void listRefusedToo_failsNamingBothRefusals() throws Exception {
    byte[] index = ociIndex();
    try (FaultProxy proxy = new FaultProxy(registry.address())) {
      proxy.inject("PUT", "/manifests/1$", Fault.MANIFEST_INVALID, 100);
      RegistryException e = assertThrows(RegistryException.class, () -> pusher().push(
          ImageReference.parse(proxy.address() + "/both/app:1"), index, MediaTypes.OCI_INDEX,
          provider()));
      assertEquals(2, proxy.injected(Fault.MANIFEST_INVALID), proxy.log().toString());
      assertTrue(e.getMessage().contains("as a Docker manifest list, after the registry refused"
          + " the OCI image index (HTTP 400 MANIFEST_INVALID)"), e.getMessage());
      assertTrue(warnings.isEmpty(), "nothing was pushed: " + warnings);
    }
  }

  @Test
  void otherFailures_areNotRetriedAsAList() throws Exception {
    byte[] index = ociIndex();
    try (FaultProxy proxy = new FaultProxy(registry.address())) {
      // A missing child is the index's content, not its media type: 400 MANIFEST_BLOB_UNKNOWN.
      ImageIndex bad = OciJson.fromBytes(index, ImageIndex.class);
      Descriptor ghost = new Descriptor(MediaTypes.DOCKER_MANIFEST, Digest.sha256("ghost"), 5,
          Map.of(), new Platform("s390x", "linux", null));
      List<Descriptor> entries = new ArrayList<>(bad.manifests());
      entries.add(ghost);
      byte[] badBytes = OciJson.toBytes(ImageIndex.oci(entries));
      RegistryClient client = RegistryClient.create(
          ImageReference.parse(proxy.address() + "/other/app:1"),
          RegistryOptions.defaults().withDockerConfigDirectory(null));
      RegistryException e = assertThrows(RegistryException.class,
          () -> client.pushManifest("1", badBytes, MediaTypes.OCI_INDEX));
      assertFalse(ImagePusher.refusesMediaType(e), e.statusCode() + " " + e.errorCode());
    }
    assertFalse(ImagePusher.refusesMediaType(new RegistryException("x", "MANIFEST_INVALID", 500,
        null)));
    assertFalse(ImagePusher.refusesMediaType(new RegistryUnauthorizedException("x", "DENIED",
        415, null)));
    assertTrue(ImagePusher.refusesMediaType(new RegistryException("x", "UNSUPPORTED", 400,
        null)));
  }

  @Test
  void indexThatCannotBeAList_keepsTheRefusal_andTheExplicitListFailsBeforeSending()
      throws Exception {
    // OCI manifests cannot be named by a Docker manifest list.
    byte[] index = OciJson.toBytes(ImageIndex.oci(List.of(image("amd64", MediaTypes.OCI_MANIFEST),
        image("arm64", MediaTypes.OCI_MANIFEST))));
    try (FaultProxy proxy = new FaultProxy(registry.address())) {
      proxy.inject("PUT", "/manifests/", MediaTypes.OCI_INDEX, Fault.MANIFEST_INVALID, 100);
      ImageReference target = ImageReference.parse(proxy.address() + "/oci/app:1");
      RegistryException e = assertThrows(RegistryException.class,
          () -> pusher().push(target, index, MediaTypes.OCI_INDEX, provider()));
      assertEquals(400, e.statusCode());
      assertTrue(e.getMessage().contains("cannot be one: entry "), e.getMessage());
      int requests = proxy.log().size();
      IllegalArgumentException explicit = assertThrows(IllegalArgumentException.class,
          () -> pusher().pushImage(target, index, MediaTypes.OCI_INDEX, provider(),
              MountHints.NONE, IndexFormat.DOCKER_LIST));
      assertTrue(explicit.getMessage().contains(MediaTypes.OCI_MANIFEST), explicit.getMessage());
      assertEquals(requests, proxy.log().size(), "nothing sent: " + proxy.log());
      // By digest, the index cannot become another manifest.
      ImageReference byDigest = ImageReference.parse(proxy.address() + "/oci/app@"
          + Digest.sha256(index));
      assertThrows(IllegalArgumentException.class, () -> pusher().pushImage(byDigest, index,
          MediaTypes.OCI_INDEX, provider(), MountHints.NONE, IndexFormat.DOCKER_LIST));
    }
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void entryWithoutPlatform_cannotBeAList() {
    Descriptor amd = image("amd64", MediaTypes.DOCKER_MANIFEST);
    ImageIndex index = ImageIndex.oci(List.of(amd, new Descriptor(amd.mediaType(),
        amd.digest(), amd.size(), Map.of(), null)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        index::toDockerManifestList);
    assertTrue(e.getMessage().contains("has no platform"), e.getMessage());
    ImageIndex nested = ImageIndex.oci(List.of(new Descriptor(MediaTypes.DOCKER_MANIFEST_LIST,
        amd.digest(), amd.size(), Map.of(), amd.platform())));
    assertThrows(IllegalArgumentException.class, nested::toDockerManifestList);
  }

  @Test
  void dockerList_bytesAreStable_andReadBackAsTheSameIndex() throws Exception {
    byte[] index = ociIndex();
    ImageIndex list = OciJson.fromBytes(index, ImageIndex.class).toDockerManifestList();
    byte[] once = OciJson.toBytes(list);
    assertEquals(new String(once, StandardCharsets.UTF_8),
        new String(OciJson.toBytes(OciJson.fromBytes(index, ImageIndex.class)
            .toDockerManifestList()), StandardCharsets.UTF_8));
    assertEquals(list, OciJson.fromBytes(once, ImageIndex.class));
  }
}
