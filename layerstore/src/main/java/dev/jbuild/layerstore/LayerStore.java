package dev.jbuild.layerstore;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.DeferredBlob;
import dev.jbuild.layerstore.content.GcRoots;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.diff.LayerOptions;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.fs.GcLock;
import dev.jbuild.layerstore.fs.PrivateDirs;
import dev.jbuild.layerstore.fs.TreeSummary;
import dev.jbuild.layerstore.image.ImageStore;
import dev.jbuild.layerstore.snapshot.Scratch;
import dev.jbuild.layerstore.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jbuild store rooted at one directory:
 *
 * <pre>
 * root/blobs/sha256/&lt;hex&gt;   content-addressed blobs (layers, configs, manifests)
 * root/ingest/                blobs being written
 * root/snapshots/             unpacked layers in overlay form, one directory per ChainID
 * root/images/                the tag database and the stored-image registry
 * root/meta/layers/           what is known about layer blobs ({@link LayerInfo})
 * root/meta/deferred/         layer blobs written from their snapshot when first read
 *                             ({@link dev.jbuild.layerstore.content.DeferredBlob})
 * root/gc/                    GC roots and the store lock
 * root/tmp/                   scratch space on the same file system
 * root/cache/, containers/, runner/   the builder's caches, kept containers, the runner's files
 * </pre>
 *
 * <p>The root and the directories with unpacked content are private to the store's owner (0700).
 *
 * <p>Thread-safe, and several processes may open the same root: every publication is an atomic
 * rename and the shared mutable files are updated under file locks.
 *
 * <p><b>Leases.</b> Work that writes content before referencing it (a build writes layers before
 * it tags the image; a load stores blobs before the manifest) or mounts snapshots must hold a
 * {@link #lease()} for its duration; garbage collection takes the store's exclusive lock and so
 * waits for every lease, and never deletes what such work is about to reference.
 */
public final class LayerStore {
  /**
   * The directories under the root that hold unpacked layers, upperdirs, containers, caches and
   * the runner's files; like the root they are mode 0700.
   */
  public static final List<String> PRIVATE_DIRS =
      List.of("snapshots", "tmp", "cache", "containers", "runner");

  private static final Logger LOG = LoggerFactory.getLogger(LayerStore.class);

  private final Path root;
  private final ContentStore content;
  private final SnapshotStore snapshots;
  private final ImageStore images;
  private final SnapshotBlobs blobs;

  private final GcRoots gcRoots;

  private LayerStore(Path root) throws IOException {
    this.root = root;
    this.gcRoots = new GcRoots(root);
    this.content = new ContentStore(root);
    this.snapshots = new SnapshotStore(root.resolve("snapshots"), content);
    this.blobs = new SnapshotBlobs(content, snapshots);
    content.setProducer(blobs);
    this.images = new ImageStore(root.resolve("images"), content);
  }

  /**
   * Opens (creating if needed) the store at {@code root}. The root and the directories holding
   * unpacked content ({@link #PRIVATE_DIRS}) are created with mode 0700, since an image's
   * setuid-root binary unpacked under them must not be executable by other local users (issue #10
   * item 2). An existing store where any of them is open to group or others is restricted to 0700
   * and a one-line warning says so.
   *
   * @throws IOException if the directories cannot be created or restricted
   */
  public static LayerStore open(Path root) throws IOException {
    Path absolute = root.toAbsolutePath().normalize();
    PrivateDirs.create(absolute);
    List<Path> toRestrict = new ArrayList<>();
    // The real path, so a store reached through a symbolic link is restricted too.
    toRestrict.add(absolute.toRealPath());
    for (String dir : PRIVATE_DIRS) {
      toRestrict.add(PrivateDirs.create(absolute.resolve(dir)));
    }
    if (!PrivateDirs.restrict(toRestrict).isEmpty()) {
      LOG.warn("store {} was readable by other users; restricted it to its owner (0700)",
          absolute);
    }
    for (String dir : new String[] {"blobs/sha256", "ingest", "images", "gc"}) {
      Files.createDirectories(absolute.resolve(dir));
    }
    return new LayerStore(absolute);
  }

  /** The store's root directory (absolute). */
  public Path root() {
    return root;
  }

  /** Scratch space on the store's file system ({@code root/tmp}). */
  public Path tmp() {
    return root.resolve("tmp");
  }

  /**
   * A fresh private directory {@code tmp/<prefix><random>}, locked until closed (closing deletes
   * it); if this process dies first, {@link #tempLeftovers()} lists it.
   */
  public TempDir newTempDir(String prefix) throws IOException {
    return TempDir.create(tmp(), prefix);
  }

  /**
   * Scratch directories under {@code tmp/} left by processes that are gone (see {@link
   * TempDir}), for prune and verify to remove. Live ones are never listed.
   */
  public List<Path> tempLeftovers() throws IOException {
    return TempDir.leftovers(tmp());
  }

  /** The blobs. */
  public ContentStore content() {
    return content;
  }

  /** The unpacked layers. */
  public SnapshotStore snapshots() {
    return snapshots;
  }

  /**
   * Publishes a build step's upperdir as the snapshot of {@code below + layer}, in place of
   * unpacking the layer again for the next step (see {@link SnapshotStore#adopt}). When the
   * layer's blob was not written ({@code LayerDiffer.diffAndSummarize} without {@code writeBlob}),
   * it stays deferred: written from the snapshot when first read (see {@link
   * dev.jbuild.layerstore.content.DeferredBlob}); if that ChainID was already unpacked, it is
   * written now from the upperdir. On return the layer's blob is in the store or deferred.
   *
   * @param lowersTopFirst the lowerdirs the layer was diffed against
   * @param upperSummary the upperdir's summary from the diff's walk
   * @param options what the layer was diffed with; without {@code SOURCE_DATE_EPOCH}
   * @throws IllegalArgumentException if {@code options} clamp times
   */
  public void adoptStep(List<Layer> below, Layer layer, Scratch scratch,
      TreeSummary upperSummary, List<Path> lowersTopFirst, LayerOptions options)
      throws IOException {
    blobs.adopt(below, layer, scratch, upperSummary, lowersTopFirst, options);
  }

  /**
   * Empty if the deferred blob {@code blob} can still be written from its snapshot, as far as
   * the snapshot's metadata tells; otherwise why not (for {@code verify}).
   */
  public Optional<String> checkDeferred(DeferredBlob blob) throws IOException {
    return blobs.check(blob);
  }

  /** The images and tags. */
  public ImageStore images() {
    return images;
  }

  /** The digests garbage collection keeps besides tagged images (build cache and others). */
  public GcRoots gcRoots() {
    return gcRoots;
  }

  /**
   * Takes a shared lease on the store: garbage collection waits until it is closed. Hold one
   * while building, loading, pulling or running. Cheap; many may be held at once, across threads
   * and processes; a killed process's lease disappears with it.
   */
  public FileLocks.Held lease() throws IOException {
    return GcLock.shared(root.resolve("gc/lock"));
  }

  /**
   * Takes the store's exclusive lock, for garbage collection and repairs: waits for every {@link
   * #lease()} to close, calling {@code onWait} once first if it has to wait. The calling thread
   * must not hold a lease itself.
   */
  public FileLocks.Held lockExclusive(Runnable onWait) throws IOException {
    return GcLock.exclusive(root.resolve("gc/lock"), onWait);
  }
}
