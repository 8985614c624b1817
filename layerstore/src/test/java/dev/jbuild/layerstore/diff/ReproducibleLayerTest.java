package dev.jbuild.layerstore.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.compress.LayerCompression;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarStreams;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SOURCE_DATE_EPOCH clamping, compression choices and layer records of {@link LayerDiffer}. */
class ReproducibleLayerTest {
  private static final long EPOCH = 1_700_000_000L;

  @TempDir Path tmp;

  private Path tree(String name, Instant mtime) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.createDirectories(dir.resolve("etc/app"));
    Files.writeString(dir.resolve("etc/app/config"), "key=value\n");
    Files.writeString(dir.resolve("old"), "old file\n");
    Files.createSymbolicLink(dir.resolve("link"), Path.of("etc/app/config"));
    for (Path p : List.of(dir.resolve("etc/app/config"), dir.resolve("etc/app"),
        dir.resolve("etc"))) {
      Files.setLastModifiedTime(p, FileTime.from(mtime));
    }
    // A file older than the epoch keeps its own time.
    Files.setLastModifiedTime(dir.resolve("old"), FileTime.from(Instant.ofEpochSecond(1000)));
    return dir;
  }

  private static List<TarEntry> entries(LayerStore store, Layer layer) throws Exception {
    List<TarEntry> entries = new ArrayList<>();
    try (InputStream in = TarStreams.decompress(store.content().open(layer.blob()))) {
      TarReader reader = new TarReader(in);
      TarEntry e;
      while ((e = reader.next()) != null) {
        entries.add(e);
      }
    }
    return entries;
  }

  @Test
  void sourceDateEpoch_clampsMtimes_sameTreeAtDifferentTimesGivesSameDigests() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    LayerOptions options = LayerOptions.defaults().withSourceDateEpoch(EPOCH);
    Layer a = LayerDiffer.fromDirectory(tree("a", Instant.parse("2030-01-01T00:00:00Z")),
        store.content(), options);
    Layer b = LayerDiffer.fromDirectory(tree("b", Instant.parse("2031-06-01T12:00:00Z")),
        store.content(), options);
    assertEquals(a.diffId(), b.diffId());
    assertEquals(a.blob().digest(), b.blob().digest());
    for (TarEntry e : entries(store, a)) {
      assertTrue(e.mtime() <= EPOCH, e.name() + " has mtime " + e.mtime());
      if (e.name().equals("old")) {
        assertEquals(1000, e.mtime(), "times before the epoch are kept");
      }
    }
    // Without the option the times differ, and so do the digests.
    Layer c = LayerDiffer.fromDirectory(tmp.resolve("a"), store.content());
    Layer d = LayerDiffer.fromDirectory(tmp.resolve("b"), store.content());
    assertNotEquals(c.diffId(), d.diffId());
  }

  @Test
  void fromTar_withEpoch_rewritesEntries_withoutKeepsBytes() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Layer original = LayerDiffer.fromDirectory(tree("t", Instant.parse("2030-01-01T00:00:00Z")),
        store.content());
    Layer same;
    try (InputStream in = store.content().open(original.blob())) {
      same = LayerDiffer.fromTar(in, store.content());
    }
    assertEquals(original.diffId(), same.diffId());
    Layer clamped;
    try (InputStream in = store.content().open(original.blob())) {
      clamped = LayerDiffer.fromTar(in, store.content(),
          LayerOptions.defaults().withSourceDateEpoch(EPOCH));
    }
    assertNotEquals(original.diffId(), clamped.diffId());
    for (TarEntry e : entries(store, clamped)) {
      assertTrue(e.mtime() <= EPOCH);
    }
  }

  @Test
  void zstdAndUncompressedLayers_andTheirRecords() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Path dir = tree("z", Instant.parse("2030-01-01T00:00:00Z"));
    Layer gzip = LayerDiffer.fromDirectory(dir, store.content());
    Layer zstd = LayerDiffer.fromDirectory(dir, store.content(),
        LayerOptions.defaults().withCompression(LayerCompression.zstd(19)));
    Layer none = LayerDiffer.fromDirectory(dir, store.content(),
        LayerOptions.defaults().withCompression(LayerCompression.none()));
    assertEquals(gzip.diffId(), zstd.diffId());
    assertEquals(gzip.diffId(), none.diffId());
    assertEquals(none.diffId(), none.blob().digest(), "an uncompressed blob is its own DiffID");
    assertEquals(MediaTypes.DOCKER_LAYER_GZIP, gzip.blob().mediaType());
    assertEquals(MediaTypes.OCI_LAYER_ZSTD, zstd.blob().mediaType());
    assertEquals(MediaTypes.OCI_LAYER_TAR, none.blob().mediaType());
    LayerInfo info = store.content().layerInfo(zstd.blob().digest()).orElseThrow();
    // 10 + 9 bytes of files + the symlink target "etc/app/config" (14), like docker counts.
    assertEquals(33, info.contentSize());
    assertEquals(store.content().layerInfo(gzip.blob().digest()).orElseThrow().tarSize(),
        info.tarSize());
    // The zstd layer unpacks like any other.
    Path unpacked = store.snapshots().prepare(List.of(zstd)).absoluteLowerDirsTopFirst().get(0);
    assertEquals("key=value\n", Files.readString(unpacked.resolve("etc/app/config")));
    // An image with a zstd layer gets an OCI manifest (Docker has no zstd type).
    var image = store.images().write(dev.jbuild.layerstore.oci.ImageConfig.scratch(
        dev.jbuild.layerstore.oci.Platform.host()), List.of(zstd));
    assertEquals(MediaTypes.OCI_MANIFEST, image.manifest().mediaType());
  }

  @Test
  void fromEnvironment_readsSourceDateEpoch() {
    assertEquals(EPOCH, LayerOptions.fromEnvironment(Map.of("SOURCE_DATE_EPOCH",
        Long.toString(EPOCH))).sourceDateEpoch().getAsLong());
    assertTrue(LayerOptions.fromEnvironment(Map.of()).sourceDateEpoch().isEmpty());
    assertThrows(IllegalArgumentException.class,
        () -> LayerOptions.fromEnvironment(Map.of("SOURCE_DATE_EPOCH", "yesterday")));
  }
}
