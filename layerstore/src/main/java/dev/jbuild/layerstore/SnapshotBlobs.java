package dev.jbuild.layerstore;

import dev.jbuild.layerstore.compress.LayerCompression;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.DeferredBlob;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.diff.LayerOptions;
import dev.jbuild.layerstore.fs.TreeSummary;
import dev.jbuild.layerstore.hash.DigestMismatchException;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.snapshot.ChainIds;
import dev.jbuild.layerstore.snapshot.Scratch;
import dev.jbuild.layerstore.snapshot.SnapshotRecord;
import dev.jbuild.layerstore.snapshot.SnapshotStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Layer blobs kept as snapshots until something reads them ({@link DeferredBlob}): a build step's
 * upperdir is adopted as a snapshot with its blob only digested ({@link #adopt}), and the blob is
 * written from that snapshot when first opened ({@link #produce}), as Docker's store keeps a
 * layer as its directory until push. A RUN writing 600 MB then writes 600 MB, not 1200.
 *
 * <p>The bytes come back the same because the diff's walk, tar and compression depend only on
 * the tree (sorted names, no thread count in the output), and a published snapshot is never
 * written (overlay mounts it read-only as a lowerdir). What is written is checked against the
 * recorded digest and size before it is published, so a snapshot changed behind the store's back
 * gives a clear error, never a wrong blob.
 */
final class SnapshotBlobs implements ContentStore.Producer {
  private final ContentStore content;
  private final SnapshotStore snapshots;

  SnapshotBlobs(ContentStore content, SnapshotStore snapshots) {
    this.content = content;
    this.snapshots = snapshots;
  }

  /**
   * Publishes a step's upperdir as the snapshot of {@code below + layer} ({@link
   * SnapshotStore#adopt}). A layer whose blob is not in the store (diffed without writing it) is
   * recorded as deferred when the upperdir was adopted; when that ChainID was already unpacked,
   * the blob is written now from the upperdir, which is still in place.
   *
   * @param lowersTopFirst the lowerdirs the layer was diffed against
   * @param options the options it was diffed with (no {@code SOURCE_DATE_EPOCH}: clamped times
   *     make the layer differ from the files)
   */
  void adopt(List<Layer> below, Layer layer, Scratch scratch, TreeSummary upperSummary,
      List<Path> lowersTopFirst, LayerOptions options) throws IOException {
    if (options.sourceDateEpoch().isPresent()) {
      throw new IllegalArgumentException("a layer with clamped times is not its upperdir");
    }
    boolean written = content.contains(layer.blob().digest());
    if (snapshots.adopt(below, layer, scratch, upperSummary)) {
      if (!written) {
        List<Digest> diffIds = new ArrayList<>();
        below.forEach(l -> diffIds.add(l.diffId()));
        diffIds.add(layer.diffId());
        content.putDeferred(new DeferredBlob(layer.blob(), layer.diffId(), ChainIds.top(diffIds),
            below.stream().map(DeferredBlob.Below::of).toList(), options.compression().spec()));
      }
    } else if (!written) {
      LayerDiffer.rediff(scratch.upperDir(), lowersTopFirst, content, options, layer.blob());
    }
  }

  @Override
  public void produce(DeferredBlob blob) throws IOException {
    make(blob, null);
  }

  /**
   * Empty if {@code blob}'s snapshot is there and its metadata fingerprint unchanged (a change of
   * content alone shows only when the blob is made); otherwise why not.
   */
  Optional<String> check(DeferredBlob blob) throws IOException {
    Optional<String> id = snapshots.lookup(blob.chainId());
    if (id.isEmpty()) {
      return Optional.of("its snapshot (chain " + blob.chainId().shortHex() + ") is gone");
    }
    Optional<SnapshotRecord> record = snapshots.record(id.get());
    return record.isEmpty() ? Optional.empty()
        : snapshots.check(record.get()).map(why -> "snapshot " + id.get() + ": " + why);
  }

  @Override
  public void stream(DeferredBlob blob, OutputStream out) throws IOException {
    make(blob, out);
  }

  /** Writes the blob into the store, or to {@code out} when it is not null. */
  private void make(DeferredBlob blob, OutputStream out) throws IOException {
    String what = "Tried to write layer blob " + blob.blob().digest() + " from its snapshot (chain "
        + blob.chainId().shortHex() + ") but failed because: ";
    Optional<String> id = snapshots.lookup(blob.chainId());
    if (id.isEmpty()) {
      // The record is useless now; without it the blob counts as missing, so the build cache
      // misses and the next build makes the layer again.
      content.deleteDeferred(blob.blob().digest());
      throw new IOException(what + "the snapshot is gone; build the image again");
    }
    Optional<String> damage = check(blob);
    if (damage.isPresent()) {
      throw new IOException(what + damage.get() + "; build the image again with --no-cache");
    }
    List<Path> lowers = snapshots.prepare(blob.belowLayers()).absoluteLowerDirsTopFirst();
    LayerOptions options = LayerOptions.defaults()
        .withCompression(LayerCompression.parse(blob.compression()));
    Path dir = snapshots.layersRoot().resolve(id.get());
    try {
      if (out == null) {
        LayerDiffer.rediff(dir, lowers, content, options, blob.blob());
      } else {
        LayerDiffer.rediffTo(dir, lowers, content, options, blob.blob(), out);
      }
    } catch (DigestMismatchException e) {
      throw new IOException(what + "the snapshot gives other bytes now (" + e.getMessage()
          + "); build the image again with --no-cache", e);
    }
  }
}
