package dev.jbuild.builder.remotecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.cache.CacheConfig;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code type=local} cache directory is untrusted (a shared runner volume): links out of it,
 * names that would escape {@code blobs/} and blobs that lie are refused, even when the bytes
 * they lead to are the right ones, and nothing of them reaches the store.
 */
class LayoutCacheAttackTest {
  @TempDir Path tmp;
  private Path dir;
  private Layer layer;
  private byte[] layerBytes;

  /** A cache with one entry whose layer is a (plain, small) blob. */
  @BeforeEach
  void cache() throws IOException {
    ContentStore content = LayerStore.open(tmp.resolve("a")).content();
    layerBytes = "not really a tar, never unpacked here".getBytes(StandardCharsets.UTF_8);
    Descriptor blob = content.put(MediaTypes.OCI_LAYER_TAR, layerBytes);
    layer = new Layer(blob, Digest.sha256(layerBytes));
    CacheConfig config = new CacheConfig(BuildCache.VERSION, List.of(new CacheConfig.Entry(
        Digest.sha256("key"), blob, layer.diffId(), "2026-12-02T00:00:00Z", null)));
    dir = tmp.resolve("cache");
    LayoutCache.export(dir, config, List.of(layer), new BuildCache(tmp.resolve("bc"), content),
        content);
  }

  private Path blob(Digest d) {
    return dir.resolve("blobs/sha256").resolve(d.hex());
  }

  /** Replaces {@code file} by a link to a copy of it outside the cache. */
  private void linkOut(Path file) throws IOException {
    Path outside = Files.copy(file, tmp.resolve("outside-" + file.getFileName()));
    Files.delete(file);
    Files.createSymbolicLink(file, outside);
  }

  private Descriptor manifestDescriptor() throws IOException {
    return OciJson.fromBytes(Files.readAllBytes(dir.resolve("index.json")), ImageIndex.class)
        .manifests().get(0);
  }

  @Test
  void honestCache_opensAndFetches() throws IOException {
    LayoutCache cache = LayoutCache.open(dir);
    assertEquals(1, cache.config().entries().size());
    ContentStore b = LayerStore.open(tmp.resolve("b")).content();
    cache.fetch(layer.blob(), b);
    assertTrue(b.contains(layer.blob().digest()));
  }

  @Test
  void symlinkedIndexOrManifest_isRefused() throws IOException {
    linkOut(blob(manifestDescriptor().digest()));
    assertTrue(assertThrows(IOException.class, () -> LayoutCache.open(dir)).getMessage()
        .contains("is a symbolic link"));
    linkOut(dir.resolve("index.json"));
    assertTrue(assertThrows(IOException.class, () -> LayoutCache.open(dir)).getMessage()
        .contains("index.json is a symbolic link"));
  }

  @Test
  void symlinkedLayerBlob_isNotFetched() throws IOException {
    LayoutCache cache = LayoutCache.open(dir);
    linkOut(blob(layer.blob().digest()));
    ContentStore b = LayerStore.open(tmp.resolve("b")).content();
    assertTrue(assertThrows(IOException.class, () -> cache.fetch(layer.blob(), b)).getMessage()
        .contains("is a symbolic link"));
    assertFalse(b.contains(layer.blob().digest()));
  }

  @Test
  void layerBlobLongerThanItsDescriptor_isStoppedPastItsSize() throws IOException {
    LayoutCache cache = LayoutCache.open(dir);
    byte[] longer = java.util.Arrays.copyOf(layerBytes, layerBytes.length + 4096);
    Files.write(blob(layer.blob().digest()), longer);
    ContentStore b = LayerStore.open(tmp.resolve("b")).content();
    assertTrue(assertThrows(IOException.class, () -> cache.fetch(layer.blob(), b)).getMessage()
        .contains("is longer than"));
    assertFalse(b.contains(layer.blob().digest()));
  }

  @Test
  void indexDigestThatWouldEscapeBlobs_isRefused() throws IOException {
    Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{"
        + "\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"sha256:../../../etc/"
        + "passwd\",\"size\":10}]}");
    assertTrue(assertThrows(IOException.class, () -> LayoutCache.open(dir)).getMessage()
        .contains("digest"));
  }

  @Test
  void exportThroughASymlinkedBlobsDir_isRefused() throws IOException {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Path fresh = Files.createDirectories(tmp.resolve("fresh"));
    Files.createSymbolicLink(fresh.resolve("blobs"), elsewhere);
    ContentStore content = LayerStore.open(tmp.resolve("a")).content();
    IOException e = assertThrows(IOException.class, () -> LayoutCache.export(fresh,
        new CacheConfig(BuildCache.VERSION, List.of()), List.of(layer),
        new BuildCache(tmp.resolve("bc"), content), content));
    assertTrue(e.getMessage().contains("blobs is a symbolic link"), e.getMessage());
    try (var list = Files.list(elsewhere)) {
      assertEquals(0, list.count());
    }
  }
}
