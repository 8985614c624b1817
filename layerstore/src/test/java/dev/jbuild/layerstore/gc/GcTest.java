package dev.jbuild.layerstore.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.GcRoots;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.layerstore.snapshot.ChainIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Pruner} and {@link Verifier} on a real store. */
class GcTest {
  @TempDir Path tmp;

  private Layer layer(LayerStore store, String name, String content) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("src-" + name));
    Files.writeString(dir.resolve(name), content);
    return LayerDiffer.fromDirectory(dir, store.content());
  }

  private static Image image(LayerStore store, Layer... layers) throws IOException {
    return store.images().write(ImageConfig.scratch(Platform.host()), List.of(layers));
  }

  private static void assertClean(LayerStore store) throws IOException {
    VerifyReport report = new Verifier(store).verify(false, line -> {});
    assertTrue(report.clean(), "problems: " + report.problems());
  }

  @Test
  void prune_keepsTaggedImagesAndRoots_removesTheRest_andLeftovers() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Layer shared = layer(store, "shared", "shared");
    Layer onlyA = layer(store, "a", "a");
    Layer onlyB = layer(store, "b", "b");
    Layer cached = layer(store, "cached", "cached");
    Layer garbage = layer(store, "garbage", "garbage");
    Image a = image(store, shared, onlyA);
    Image b = image(store, shared, onlyB);
    ImageReference tag = ImageReference.parse("example.com/app:1");
    store.images().tag(tag, a.manifestDescriptor());
    store.gcRoots().put(GcRoots.BUILD_CACHE_PREFIX + "step1", List.of(cached.blob().digest()));
    store.snapshots().prepare(a.layers());
    store.snapshots().prepare(b.layers());
    // Leftovers of a killed process: a partial blob, an extraction, an unpublished snapshot.
    Files.writeString(store.root().resolve("ingest/blob-dead.partial"), "half");
    Files.createDirectories(store.root().resolve("snapshots/tmp/"
        + Digest.sha256("x").hex() + ".123/etc"));
    Files.createDirectories(store.root().resolve("snapshots/999/etc"));
    assertClean(store);
    assertEquals(3, new Verifier(store).verify(false, l -> {}).leftovers().size());

    PruneReport report = new Pruner(store).prune(false, () -> {});

    assertEquals(List.of(b.id()), report.deletedImages());
    assertTrue(store.content().contains(shared.blob().digest()));
    assertTrue(store.content().contains(onlyA.blob().digest()));
    assertTrue(store.content().contains(cached.blob().digest()));
    assertFalse(store.content().contains(onlyB.blob().digest()));
    assertFalse(store.content().contains(garbage.blob().digest()));
    assertFalse(store.content().contains(b.manifestDigest()));
    assertTrue(store.content().layerInfo(garbage.blob().digest()).isEmpty());
    assertEquals(3, report.deletedLeftovers());
    List<Digest> chainA = ChainIds.of(List.of(shared.diffId(), onlyA.diffId()));
    List<Digest> chainB = ChainIds.of(List.of(shared.diffId(), onlyB.diffId()));
    assertTrue(store.snapshots().lookup(chainA.get(1)).isPresent());
    assertTrue(store.snapshots().lookup(chainA.get(0)).isPresent());
    assertTrue(store.snapshots().lookup(chainB.get(1)).isEmpty());
    assertEquals(a.id(), store.images().load(store.images().resolve(tag).orElseThrow()
        .digest()).id());
    assertClean(store);
    assertTrue(new Verifier(store).verify(false, l -> {}).leftovers().isEmpty());

    PruneReport all = new Pruner(store).prune(true, () -> {});
    assertEquals(1, all.deletedCacheRoots());
    assertFalse(store.content().contains(cached.blob().digest()));
    assertTrue(store.snapshots().list().isEmpty());
    assertTrue(store.content().contains(onlyA.blob().digest()));
    // The image still works: its layers are unpacked again on demand.
    assertTrue(Files.isRegularFile(store.snapshots().prepare(a.layers())
        .absoluteLowerDirsTopFirst().get(0).resolve("a")));
    assertClean(store);
  }

  @Test
  void verify_findsCorruptBlobsAndDamagedSnapshots_repairRemovesThem() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Layer base = layer(store, "base", "base content");
    Layer top = layer(store, "top", "top content");
    Image image = image(store, base, top);
    ImageReference tag = ImageReference.parse("example.com/broken:1");
    store.images().tag(tag, image.manifestDescriptor());
    Path topDir = store.snapshots().prepare(image.layers()).absoluteLowerDirsTopFirst().get(0);
    assertClean(store);

    // Flip a byte of a layer blob (same size) and append to a file in a snapshot.
    Path blob = store.content().pathOf(base.blob().digest());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(blob, bytes);
    Files.writeString(topDir.resolve("top"), " tampered", StandardOpenOption.APPEND);

    VerifyReport found = new Verifier(store).verify(false, l -> {});
    assertEquals(2, found.problems().size(), found.problems().toString());
    assertTrue(found.problems().get(0).contains(base.blob().digest().toString()));
    assertTrue(found.problems().get(1).startsWith("snapshot"), found.problems().toString());

    VerifyReport repaired = new Verifier(store).verify(true, l -> {});
    assertFalse(repaired.repaired().isEmpty());
    assertFalse(store.content().contains(base.blob().digest()));
    List<Digest> chain = ChainIds.of(List.of(base.diffId(), top.diffId()));
    assertTrue(store.snapshots().lookup(chain.get(1)).isEmpty(), "damaged snapshot kept");
    assertTrue(store.snapshots().lookup(chain.get(0)).isPresent(), "intact snapshot removed");
    // The image lost a layer: its tag is removed so nothing tries to use it.
    assertTrue(store.images().resolve(tag).isEmpty());
    assertClean(store);
  }

  /**
   * Issue #10 item 4: an image whose layer does not match its config's rootfs.diff_ids (what a
   * hostile registry could get stored before pulls checked it) is reported, whether the layer has
   * a record or its DiffID must be recomputed; repair untags and forgets the image.
   */
  @Test
  void verify_layerNotMatchingDiffIds_isReported_repairRemovesTheImage() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Layer good = layer(store, "good", "what the config describes");
    Layer swapped = layer(store, "swapped", "what the registry sent instead");
    Image image = image(store, new Layer(swapped.blob(), good.diffId()));
    ImageReference tag = ImageReference.parse("example.com/swapped:1");
    store.images().tag(tag, image.manifestDescriptor());

    for (boolean withRecord : List.of(true, false)) {
      if (!withRecord) {
        store.content().deleteLayerInfo(swapped.blob().digest());
      }
      VerifyReport found = new Verifier(store).verify(false, l -> {});
      assertEquals(List.of("image example.com/swapped:1 is broken: layer "
          + swapped.blob().digest() + " has DiffID " + swapped.diffId() + " but the image"
          + " config's rootfs.diff_ids says " + good.diffId() + " (pull or build it again)"),
          found.problems());
    }

    VerifyReport repaired = new Verifier(store).verify(true, l -> {});
    assertTrue(repaired.repaired().contains("untagged example.com/swapped:1"),
        repaired.repaired().toString());
    assertTrue(store.images().resolve(tag).isEmpty());
    assertClean(store);
  }

  @Test
  void prune_waitsForLeases() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Layer garbage = layer(store, "g", "g");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch leased = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<?> holder = pool.submit(() -> {
        try (var lease = store.lease()) {
          leased.countDown();
          release.await();
        }
        return null;
      });
      leased.await();
      AtomicBoolean waited = new AtomicBoolean();
      Future<PruneReport> prune = pool.submit(() ->
          new Pruner(store).prune(false, () -> waited.set(true)));
      Thread.sleep(300);
      assertFalse(prune.isDone(), "prune ran while a lease was held");
      assertTrue(store.content().contains(garbage.blob().digest()));
      release.countDown();
      holder.get(10, TimeUnit.SECONDS);
      assertEquals(1, prune.get(10, TimeUnit.SECONDS).deletedBlobs());
      assertTrue(waited.get());
    } finally {
      pool.shutdownNow();
    }
  }
}
