package dev.jbuild.layerstore.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.hash.DigestMismatchException;
import dev.jbuild.layerstore.oci.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link SnapshotStore} and {@link ChainIds}. */
class SnapshotStoreTest {
  @TempDir Path tmp;

  @Test
  void chainIds_followTheSpec() {
    Digest a = Digest.sha256("a");
    Digest b = Digest.sha256("b");
    assertEquals(List.of(a, Digest.sha256(a + " " + b)), ChainIds.of(List.of(a, b)));
  }

  private Layer layer(LayerStore store, String name) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("src-" + name));
    Files.writeString(dir.resolve(name), name);
    return LayerDiffer.fromDirectory(dir, store.content());
  }

  @Test
  void prepare_concurrently_unpacksEachChainOnce() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("s"));
    Layer l1 = layer(store, "one");
    Layer l2 = layer(store, "two");
    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<Snapshot>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < 12; i++) {
        futures.add(pool.submit(() -> store.snapshots().prepare(List.of(l1, l2))));
      }
      Snapshot first = futures.get(0).get();
      for (Future<Snapshot> f : futures) {
        assertEquals(first, f.get());
      }
      assertEquals(2, first.lowerDirsTopFirst().size());
      assertEquals("two", Files.readString(first.absoluteLowerDirsTopFirst().get(0).resolve("two")));
      assertEquals("one", Files.readString(first.absoluteLowerDirsTopFirst().get(1).resolve("one")));
      for (String name : first.lowerDirsTopFirst()) {
        assertTrue(name.length() <= 12, "short lowerdir name " + name);
      }
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> s = Files.list(tmp.resolve("s/snapshots/tmp"))) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void prepare_wrongDiffId_failsAndLeavesNothing() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("s"));
    Layer good = layer(store, "x");
    Layer lying = new Layer(good.blob(), Digest.sha256("not the diff id"));
    assertThrows(DigestMismatchException.class, () -> store.snapshots().prepare(List.of(lying)));
    try (Stream<Path> s = Files.list(tmp.resolve("s/snapshots/tmp"))) {
      assertEquals(0, s.count());
    }
    assertTrue(store.snapshots().lookup(lying.diffId()).isEmpty());
  }

  @Test
  void prepare_corruptBlob_fails() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("s"));
    Layer good = layer(store, "x");
    Path blob = store.content().pathOf(good.blob().digest());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length - 5] ^= 0x55; // gzip trailer: caught by the blob digest or the CRC
    Files.write(blob, bytes);
    assertThrows(java.io.IOException.class, () -> store.snapshots().prepare(List.of(good)));
    assertTrue(store.snapshots().lookup(good.diffId()).isEmpty());
  }

  @Test
  void prepare_noLayers_givesOneEmptyLowerdir() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("s"));
    Snapshot s = store.snapshots().prepare(List.of());
    assertEquals(1, s.lowerDirsTopFirst().size());
    try (Stream<Path> list = Files.list(s.absoluteLowerDirsTopFirst().get(0))) {
      assertEquals(0, list.count());
    }
  }

  @Test
  void scratch_isDeletedOnClose_evenWhenUnwritable() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("s"));
    Scratch scratch = store.snapshots().newScratch();
    Path deep = Files.createDirectories(scratch.upperDir().resolve("a/b"));
    Files.writeString(deep.resolve("f"), "x");
    Files.setPosixFilePermissions(deep, java.util.Set.of());
    Files.setPosixFilePermissions(scratch.workDir(), java.util.Set.of());
    scratch.close();
    assertTrue(Files.notExists(scratch.upperDir().getParent()));
  }
}
