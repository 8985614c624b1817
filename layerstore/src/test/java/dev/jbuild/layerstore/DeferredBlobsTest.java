package dev.jbuild.layerstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.compress.LayerCompression;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.diff.LayerOptions;
import dev.jbuild.layerstore.gc.Pruner;
import dev.jbuild.layerstore.gc.VerifyReport;
import dev.jbuild.layerstore.gc.Verifier;
import dev.jbuild.layerstore.image.DiffIds;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.layerstore.snapshot.ChainIds;
import dev.jbuild.layerstore.snapshot.Scratch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build step's layer blob kept as its snapshot until something reads it ({@link SnapshotBlobs},
 * {@code DeferredBlob}): written on first read with exactly the digest the manifest names, kept
 * through garbage collection, and refused, never served wrong, when the snapshot was changed.
 */
class DeferredBlobsTest {
  private static final FileTime TIME = FileTime.fromMillis(1_700_000_000_000L);

  @TempDir Path tmp;

  /** A step's upperdir: a file, a directory, a symlink, a hardlink, a whiteout-free tree. */
  private static void fill(Path upper, String text) throws IOException {
    Path dir = Files.createDirectories(upper.resolve("app"));
    Files.writeString(dir.resolve("main.txt"), text);
    Files.write(dir.resolve("data.bin"), new byte[200_000]);
    Files.createLink(dir.resolve("hard.txt"), dir.resolve("main.txt"));
    Files.createSymbolicLink(upper.resolve("link"), Path.of("app/main.txt"));
    for (Path p : List.of(dir.resolve("main.txt"), dir.resolve("data.bin"), dir)) {
      Files.setLastModifiedTime(p, TIME);
    }
  }

  /** A diffed, adopted step with its blob deferred. */
  private record Step(Layer layer, Path snapshot) {}

  private static Step deferredStep(LayerStore store, String text, LayerOptions options)
      throws IOException {
    List<Path> lowers = store.snapshots().prepare(List.of()).absoluteLowerDirsTopFirst();
    try (Scratch scratch = store.snapshots().newScratch()) {
      fill(scratch.upperDir(), text);
      LayerDiffer.Summarized diff = LayerDiffer.diffAndSummarize(scratch.upperDir(), lowers,
          store.content(), options, false);
      Layer layer = diff.layer().orElseThrow();
      store.adoptStep(List.of(), layer, scratch, diff.upperDir(), lowers, options);
      Digest chain = ChainIds.top(List.of(layer.diffId()));
      Path snapshot = store.snapshots().layersRoot()
          .resolve(store.snapshots().lookup(chain).orElseThrow());
      return new Step(layer, snapshot);
    }
  }

  /** Changes a file of the snapshot keeping its size and mtime: its fingerprint stays the same. */
  private static void tamperUnseen(Step step) throws IOException {
    Path file = step.snapshot().resolve("app/main.txt");
    Files.writeString(file, "tampered");
    Files.setLastModifiedTime(file, TIME);
  }

  private static byte[] read(ContentStore content, Digest digest) throws IOException {
    try (InputStream in = content.open(digest)) {
      return in.readAllBytes();
    }
  }

  @Test
  void writtenOnFirstRead_withTheDigestAndSizeItWasNamedBy() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Step step = deferredStep(store, "hello", LayerOptions.defaults());
    Digest blob = step.layer().blob().digest();
    ContentStore content = store.content();
    assertFalse(content.isStored(blob), "no bytes written at build time");
    assertTrue(content.contains(blob));
    assertEquals(step.layer().blob().size(), content.size(blob));
    assertEquals(List.of(blob), content.listDeferred());

    // The same tree diffed the ordinary way, into another store, gives the same bytes.
    ContentStore other = new ContentStore(tmp.resolve("other"));
    Layer direct = LayerDiffer.diff(step.snapshot(), List.of(), other).orElseThrow();
    assertEquals(step.layer(), direct);

    byte[] bytes = read(content, blob);
    assertEquals(step.layer().blob().size(), bytes.length);
    assertArrayEquals(read(other, blob), bytes);
    assertTrue(content.isStored(blob));
    assertTrue(content.listDeferred().isEmpty(), "the record goes once the blob is written");
    assertEquals(step.layer().diffId(), DiffIds.measure(content, blob).diffId());
  }

  @Test
  void sentAsItIsMade_withoutWritingItToTheStore() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Step step = deferredStep(store, "push me", LayerOptions.defaults());
    Digest blob = step.layer().blob().digest();
    byte[] sent;
    try (InputStream in = store.content().openToSend(blob)) {
      sent = in.readAllBytes();
    }
    assertEquals(blob, Digest.sha256(sent));
    assertFalse(store.content().isStored(blob), "a push does not write the blob");
    assertEquals(List.of(blob), store.content().listDeferred());
  }

  // Attack: as above, the snapshot changed behind the store's back; a push must not send a
  // stream that ends cleanly (the registry would check the digest too, but nothing relies on it).
  @Test
  void sendingAChangedSnapshot_failsAtTheEndOfTheStream() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Step step = deferredStep(store, "original", LayerOptions.defaults());
    tamperUnseen(step);
    Digest blob = step.layer().blob().digest();

    IOException e = assertThrows(IOException.class, () -> {
      try (InputStream in = store.content().openToSend(blob)) {
        in.readAllBytes();
      }
    });
    assertTrue(e.getMessage().startsWith("Tried to write layer blob " + blob), e.getMessage());
  }

  @Test
  void sendingAndClosingEarly_stopsTheMaking() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Step step = deferredStep(store, "partly", LayerOptions.defaults());
    try (InputStream in = store.content().openToSend(step.layer().blob().digest())) {
      assertEquals(0x1f, in.read()); // gzip magic
    }
    // The producer thread ends on the closed pipe; a full read afterwards still works.
    assertEquals(step.layer().blob().size(),
        read(store.content(), step.layer().blob().digest()).length);
  }

  @Test
  void zstdLayerComesBackTheSame() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    LayerOptions zstd = LayerOptions.defaults().withCompression(LayerCompression.zstd(3));
    Step step = deferredStep(store, "zstd", zstd);
    store.content().ensureStored(step.layer().blob().digest());
    assertEquals(step.layer().diffId(),
        DiffIds.measure(store.content(), step.layer().blob().digest()).diffId());
  }

  @Test
  void alreadyUnpackedChain_writesTheBlobAtOnceFromTheUpperdir() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Step gzip = deferredStep(store, "same", LayerOptions.defaults());
    // The same files with another compression: same DiffID, so the ChainID is already a
    // snapshot and the new upperdir is not adopted; its blob cannot be deferred on it.
    Step zstd = deferredStep(store,
        "same", LayerOptions.defaults().withCompression(LayerCompression.zstd(3)));
    assertEquals(gzip.layer().diffId(), zstd.layer().diffId());
    assertTrue(store.content().isStored(zstd.layer().blob().digest()));
    assertFalse(store.content().isStored(gzip.layer().blob().digest()));
  }

  // Attack: the snapshot is changed behind the store's back (same size, mtime put back, so the
  // metadata fingerprint cannot see it). The blob must not be published with other bytes.
  @Test
  void snapshotChangedInPlace_isRefused_andNothingIsPublished() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Step step = deferredStep(store, "original", LayerOptions.defaults());
    tamperUnseen(step);
    Digest blob = step.layer().blob().digest();

    IOException e = assertThrows(IOException.class, () -> read(store.content(), blob));
    assertTrue(e.getMessage().startsWith("Tried to write layer blob " + blob), e.getMessage());
    assertTrue(e.getMessage().contains("build the image again"), e.getMessage());
    assertFalse(store.content().isStored(blob));
    assertTrue(store.content().list().isEmpty(), "nothing published");
    try (var left = Files.list(tmp.resolve("store/ingest"))) {
      assertEquals(0, left.count(), "no partial blob left");
    }
  }

  @Test
  void snapshotChangedVisibly_isNamedByVerify_andRepairForgetsTheBlob() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Step step = deferredStep(store, "original", LayerOptions.defaults());
    Files.writeString(step.snapshot().resolve("app/extra"), "added");
    Digest blob = step.layer().blob().digest();

    IOException e = assertThrows(IOException.class, () -> store.content().ensureStored(blob));
    assertTrue(e.getMessage().contains("its files changed"), e.getMessage());
    VerifyReport report = new Verifier(store).verify(false, line -> {});
    assertTrue(report.problems().stream()
        .anyMatch(p -> p.startsWith("layer blob " + blob + " cannot be written")),
        report.problems().toString());
    new Verifier(store).verify(true, line -> {});
    assertFalse(store.content().contains(blob));
  }

  @Test
  void pruneAll_writesAKeptDeferredBlobBeforeItDropsItsSnapshot() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Step step = deferredStep(store, "kept", LayerOptions.defaults());
    Image image = store.images().write(ImageConfig.scratch(Platform.host()),
        List.of(step.layer()));
    store.images().tag(ImageReference.parse("example.com/kept:1"), image.manifestDescriptor());
    Digest blob = step.layer().blob().digest();

    new Pruner(store).prune(true, () -> {});
    assertFalse(Files.exists(step.snapshot()), "--all drops snapshots of kept images");
    assertTrue(store.content().isStored(blob));
    assertEquals(step.layer().diffId(), DiffIds.measure(store.content(), blob).diffId());
    assertTrue(new Verifier(store).verify(false, line -> {}).clean());
  }

  @Test
  void prune_forgetsAnUnreferencedDeferredBlob_withoutWritingIt() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Step step = deferredStep(store, "garbage", LayerOptions.defaults());
    Digest blob = step.layer().blob().digest();

    new Pruner(store).prune(false, () -> {});
    assertFalse(store.content().contains(blob));
    assertFalse(store.content().isStored(blob));
    assertTrue(store.content().listDeferred().isEmpty());
    assertFalse(Files.exists(step.snapshot()));
  }
}
