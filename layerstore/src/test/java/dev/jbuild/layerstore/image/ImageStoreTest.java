package dev.jbuild.layerstore.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.BlobNotFoundException;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link ImageStore}. */
class ImageStoreTest {
  @TempDir Path tmp;

  private static Layer layer(LayerStore store, Path tmp, String content) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("rootfs-" + content));
    Files.writeString(dir.resolve("file"), content);
    return LayerDiffer.fromDirectory(dir, store.content());
  }

  @Test
  void write_thenLoad_roundTripsBytesAndLayers() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("s"));
    Layer l1 = layer(store, tmp, "one");
    Layer l2 = layer(store, tmp, "two");
    Image image = store.images().write(ImageConfig.scratch(Platform.parse("linux/amd64")),
        List.of(l1, l2));
    assertEquals(MediaTypes.DOCKER_MANIFEST, image.manifestDescriptor().mediaType());
    assertEquals(Digest.sha256(image.configBytes()), image.id());
    assertEquals(Digest.sha256(image.manifestBytes()), image.manifestDigest());
    assertEquals(List.of(l1.diffId(), l2.diffId()), image.config().rootfs().diffIds());
    assertEquals(List.of(l1, l2), image.layers());

    Image loaded = store.images().load(image.manifestDigest());
    assertArrayEquals(image.manifestBytes(), loaded.manifestBytes());
    assertArrayEquals(image.configBytes(), loaded.configBytes());
    assertEquals(image.layers(), loaded.layers());
  }

  @Test
  void store_keepsForeignBytesExactly() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("s"));
    Layer l = layer(store, tmp, "x");
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",  \"rootfs\":{\"type\":"
        + "\"layers\",\"diff_ids\":[\"" + l.diffId() + "\"]}}";
    Descriptor cfg = store.content().put(MediaTypes.OCI_CONFIG,
        config.getBytes(StandardCharsets.UTF_8));
    String manifest = "{ \"schemaVersion\": 2, \"mediaType\": \"" + MediaTypes.OCI_MANIFEST
        + "\", \"config\": {\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\""
        + cfg.digest() + "\",\"size\":" + cfg.size() + "}, \"layers\": [{\"mediaType\":\""
        + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + l.blob().digest() + "\",\"size\":"
        + l.blob().size() + "}] }";
    byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
    Image image = store.images().store(bytes, MediaTypes.OCI_MANIFEST);
    assertEquals(Digest.sha256(bytes), image.manifestDigest());
    assertArrayEquals(bytes, store.content().readAll(image.manifestDescriptor()));
    assertEquals(l.diffId(), image.layers().get(0).diffId());
  }

  @Test
  void store_missingLayer_throws() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("s"));
    Descriptor cfg = store.content().put(MediaTypes.OCI_CONFIG,
        "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes(StandardCharsets.UTF_8));
    String manifest = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\""
        + cfg.digest() + "\",\"size\":" + cfg.size() + "},\"layers\":[{\"mediaType\":\"x\","
        + "\"digest\":\"" + Digest.sha256("missing") + "\",\"size\":1}]}";
    assertThrows(BlobNotFoundException.class, () -> store.images().store(
        manifest.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_MANIFEST));
  }

  @Test
  void tags_resolveUntagList() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("s"));
    Image image = store.images().write(ImageConfig.scratch(Platform.parse("linux/amd64")),
        List.of());
    ImageReference ref = ImageReference.parse("demo/app:v1");
    assertTrue(store.images().resolve(ref).isEmpty());
    store.images().tag(ref, image.manifestDescriptor());
    assertEquals(image.manifestDigest(), store.images().resolve(ref).orElseThrow().digest());
    assertEquals(image.manifestDigest(), store.images().resolve(
        ImageReference.parse("demo/app@" + image.manifestDigest())).orElseThrow().digest());
    assertEquals(List.of(new TaggedImage(ref, image.manifestDescriptor())),
        store.images().list());
    assertTrue(store.images().untag(ref));
    assertFalse(store.images().untag(ref));
    assertTrue(store.images().list().isEmpty());
  }

  @Test
  void concurrentTaggers_onSeparateInstances_loseNothing() throws Exception {
    Path root = tmp.resolve("s");
    LayerStore a = LayerStore.open(root);
    LayerStore b = LayerStore.open(root);
    Image image = a.images().write(ImageConfig.scratch(Platform.parse("linux/amd64")), List.of());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        ImageStore images = (i % 2 == 0 ? a : b).images();
        ImageReference ref = ImageReference.parse("demo/app:t" + i);
        futures.add(pool.submit(() -> {
          images.tag(ref, image.manifestDescriptor());
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(80, b.images().list().size());
  }

  @Test
  void concurrentTaggers_inTwoProcesses_loseNothing() throws Exception {
    Path root = tmp.resolve("s");
    LayerStore store = LayerStore.open(root);
    Image image = store.images().write(ImageConfig.scratch(Platform.parse("linux/amd64")),
        List.of());
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    for (String prefix : new String[] {"p", "q"}) {
      processes.add(new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
          TagWorker.class.getName(), root.toString(), image.manifestDigest().toString(), prefix,
          "40").inheritIO().start());
    }
    for (Process p : processes) {
      assertEquals(0, p.waitFor());
    }
    assertEquals(80, store.images().list().size());
  }

  /** Tags {@code count} references in a separate JVM. */
  public static final class TagWorker {
    public static void main(String[] args) throws Exception {
      LayerStore store = LayerStore.open(Path.of(args[0]));
      Image image = store.images().load(Digest.parse(args[1]));
      for (int i = 0; i < Integer.parseInt(args[3]); i++) {
        store.images().tag(ImageReference.parse("demo/app:" + args[2] + i),
            image.manifestDescriptor());
      }
    }
  }
}
