package dev.jbuild.samples.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.BlobSource;
import dev.jbuild.registry.ImagePusher;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.registry.testing.HostileServer;
import dev.jbuild.registry.testing.LocalRegistry;
import dev.jbuild.samples.Jbuild;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry boundary attacked through the real {@code jbuild} CLI (issue #10 items 4 and 5): a
 * registry that never answers, one that serves an image whose layers are not the ones its config
 * describes, and a store where such an image was planted before pulls checked layers. Uses
 * Debian's real docker-registry on 127.0.0.1 where it can produce the attack and a raw socket
 * server where it cannot. Needs no root.
 */
class HostileRegistryAttackTest {
  @TempDir Path work;

  /**
   * Attack: a "registry" that accepts connections and never answers (it used to keep
   * {@code jbuild pull} silent for 25 minutes). Must: fail within the per-request deadline times
   * the attempts (2 s × 5 here, set through the documented environment variables), print a line
   * naming the host and request it is waiting for, and end with one {@code error:} line saying
   * what was tried and why it failed, without a stack trace.
   */
  @Test
  void pull_fromRegistryThatNeverAnswers_failsInBoundedTime_sayingWhatItWaitsFor()
      throws Exception {
    try (HostileServer server = new HostileServer(HostileServer.Behaviour.SILENT)) {
      String host = server.address();
      Jbuild.Result pull = new Jbuild(work.resolve("store")).runWithEnv(Map.of(
          "JBUILD_REGISTRY_REQUEST_TIMEOUT", "2", "JBUILD_REGISTRY_NOTICE_AFTER", "1"),
          "pull", host + "/hostile/app:v1");

      assertEquals(1, pull.exitCode(), pull.stderr());
      assertTrue(pull.stderr().contains("Still waiting for " + host
          + " to answer GET /v2/hostile/app/manifests/v1 (nothing for 1"), pull.stderr());
      assertEquals(List.of("error: Tried to pull manifest " + host + "/hostile/app:v1 but failed"
          + " because: " + host + " did not answer in time (GET /v2/hostile/app/manifests/v1 did"
          + " not complete within 2 s) (gave up after 5 attempts)"), errorLines(pull));
      assertFalse(pull.stderr().contains("\tat "), pull.stderr());
      assertEquals(5, server.connections());
    }
  }

  /**
   * Attack: a registry serves an image whose layer is intact (it matches its blob digest) but is
   * not the tar the config's rootfs.diff_ids describes. Must: {@code jbuild pull} refuses with one
   * line naming the image, the layer, the expected and the actual DiffID; nothing is tagged
   * ({@code jbuild images} does not list it) and {@code jbuild verify} finds the store clean.
   */
  @Test
  void pull_imageWhoseLayerDoesNotMatchDiffIds_isRefused_andNothingIsTagged() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(work.resolve("registry"))) {
      byte[] tar = tar("etc/motd", "the layer the registry sends");
      byte[] layer = gzip(tar);
      Digest promised = Digest.sha256(tar("etc/motd", "the layer the config promises"));
      String ref = registry.address() + "/attack/evil:v1";
      push(ref, List.of(layer), List.of(promised));

      Jbuild jbuild = new Jbuild(work.resolve("store"));
      Jbuild.Result pull = jbuild.run("pull", ref);

      assertEquals(1, pull.exitCode(), pull.stdout() + pull.stderr());
      assertEquals(List.of("error: Tried to pull " + ref + " but failed because: layer "
          + Digest.sha256(layer) + " has DiffID " + Digest.sha256(tar) + " but the image config's"
          + " rootfs.diff_ids says " + promised), errorLines(pull));
      assertFalse(pull.stdout().contains("Status:"), pull.stdout());
      String images = jbuild.run("images").assertSuccess().stdout();
      assertFalse(images.contains("attack/evil"), images);
      Jbuild.Result verify = jbuild.run("verify");
      assertEquals(0, verify.exitCode(), verify.stdout());
      assertTrue(verify.stdout().contains("Store is clean"), verify.stdout());
    }
  }

  /**
   * Attack: a store holds a tagged image whose layers were swapped (what an older jbuild could
   * have stored from a hostile registry; planted here through the store API). Must: {@code jbuild
   * verify} reports it, naming layer, actual and expected DiffID, and exits 1; {@code --repair}
   * removes its tag; afterwards the store is clean and the intact image is untouched.
   */
  @Test
  void verify_reportsAnImageWhoseLayersWereSwapped_andRepairRemovesIt() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(work.resolve("registry"))) {
      byte[] tar1 = tar("a", "first layer");
      byte[] tar2 = tar("b", "second layer");
      String good = registry.address() + "/attack/good:v1";
      push(good, List.of(gzip(tar1), gzip(tar2)),
          List.of(Digest.sha256(tar1), Digest.sha256(tar2)));
      Jbuild jbuild = new Jbuild(work.resolve("store"));
      jbuild.run("pull", good).assertSuccess();

      LayerStore store = LayerStore.open(jbuild.root());
      ImageReference goodRef = ImageReference.parse(good);
      Image image = store.images().load(store.images().resolve(goodRef).orElseThrow().digest());
      List<Layer> layers = image.layers();
      Image planted = store.images().write(image.config(), List.of(
          new Layer(layers.get(1).blob(), layers.get(0).diffId()),
          new Layer(layers.get(0).blob(), layers.get(1).diffId())));
      store.images().tag(ImageReference.parse("attack/planted:v1"),
          planted.manifestDescriptor());

      Jbuild.Result verify = jbuild.run("verify");
      assertEquals(1, verify.exitCode(), verify.stdout());
      assertTrue(verify.stdout().contains("problem: image attack/planted:v1 is broken: layer "
          + layers.get(1).blob().digest() + " has DiffID " + Digest.sha256(tar2) + " but the"
          + " image config's rootfs.diff_ids says " + Digest.sha256(tar1)), verify.stdout());

      Jbuild.Result repair = jbuild.run("verify", "--repair");
      assertEquals(0, repair.exitCode(), repair.stdout());
      assertTrue(repair.stdout().contains("repaired: untagged attack/planted:v1"),
          repair.stdout());
      String images = jbuild.run("images").assertSuccess().stdout();
      assertFalse(images.contains("attack/planted"), images);
      assertTrue(images.contains("attack/good"), images);
      assertTrue(jbuild.run("verify").assertSuccess().stdout().contains("Store is clean"));
    }
  }

  private static List<String> errorLines(Jbuild.Result result) {
    return result.stderr().lines().filter(l -> l.startsWith("error:")).toList();
  }

  /** Pushes a one-platform Docker image with these gzip layers and these (claimed) DiffIDs. */
  private static void push(String ref, List<byte[]> layers, List<Digest> diffIds)
      throws Exception {
    Map<Digest, byte[]> blobs = new HashMap<>();
    List<Descriptor> descriptors = new ArrayList<>();
    for (byte[] layer : layers) {
      Descriptor d = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(layer),
          layer.length);
      blobs.put(d.digest(), layer);
      descriptors.add(d);
    }
    StringBuilder ids = new StringBuilder();
    for (Digest id : diffIds) {
      ids.append(ids.length() == 0 ? "" : ",").append('"').append(id).append('"');
    }
    byte[] config = ("{\"architecture\":\"" + Platform.host().architecture() + "\",\"os\":"
        + "\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + ids
        + "]}}").getBytes(StandardCharsets.UTF_8);
    Descriptor configDescriptor =
        Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.sha256(config), config.length);
    blobs.put(configDescriptor.digest(), config);
    byte[] manifest = OciJson.toBytes(ImageManifest.docker(configDescriptor, descriptors));
    ImagePusher.create(RegistryOptions.defaults().withDockerConfigDirectory(null),
        ProgressListener.NONE).push(ImageReference.parse(ref), manifest,
        MediaTypes.DOCKER_MANIFEST, digest -> BlobSource.of(blobs.get(digest)));
  }

  private static byte[] tar(String name, String content) throws IOException {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setSize(data.length);
      entry.setMode(0644);
      tar.putArchiveEntry(entry);
      tar.write(data);
      tar.closeArchiveEntry();
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }
}
