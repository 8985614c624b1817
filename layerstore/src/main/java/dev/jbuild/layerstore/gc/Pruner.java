package dev.jbuild.layerstore.gc;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.GcRoots;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.TaggedImage;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.snapshot.ChainIds;
import dev.jbuild.layerstore.snapshot.SnapshotRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mark-and-sweep garbage collection of a {@link LayerStore}, under the store's exclusive lock
 * (it waits for every {@link LayerStore#lease() lease}).
 *
 * <p>Kept (the marks): every tagged image (its manifest or index, the manifests an index lists,
 * their configs and layers) and every {@link GcRoots} entry. Removed (the sweep), in an order
 * that keeps the store consistent if the process is killed at any point: untagged images (their
 * registration first, then manifest and config), then every blob nothing marked references (and
 * its layer record), then unpacked snapshots no kept image uses, then leftovers of interrupted
 * work (partial blobs, extractions, scratch directories of dead builds).
 *
 * <p>With {@code all}, also the build cache roots ({@link GcRoots#BUILD_CACHE_PREFIX}) and the
 * snapshots of kept images (they are unpacked again when needed), like {@code docker system
 * prune --all} reclaims everything that can be recreated; tagged images are never removed.
 */
public final class Pruner {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Pruner.class);
  private final LayerStore store;

  /** Prunes {@code store}. */
  public Pruner(LayerStore store) {
    this.store = store;
  }

  /**
   * Runs a garbage collection.
   *
   * @param all also drop build cache roots and the snapshots of kept images
   * @param onWait called once if the prune has to wait for other jbuild work to finish
   */
  public PruneReport prune(boolean all, Runnable onWait) throws IOException {
    return prune(all, onWait, Set.of(), (a, live) -> 0);
  }

  /**
   * Work that owns data outside the store's own files (the builder's cache entries) and must be
   * cleaned up in the same locked pass.
   */
  @FunctionalInterface
  public interface Hook {
    /**
     * Called under the exclusive lock after blobs were swept.
     *
     * @param all whether {@code --all} was asked for
     * @param stillStored tells whether a blob survived the sweep
     * @return how many items the hook removed (reported as build cache)
     */
    int afterSweep(boolean all, java.util.function.Predicate<Digest> stillStored)
        throws IOException;
  }

  /**
   * Runs a garbage collection that also keeps {@code extraRoots} (manifests or blobs in use
   * outside the tag database, for example by containers) and runs {@code hook} under the lock.
   */
  @SuppressWarnings("try") // the lock is held by the try block, not used in it
  public PruneReport prune(boolean all, Runnable onWait, Set<Digest> extraRoots, Hook hook)
      throws IOException {
    try (FileLocks.Held lock = store.lockExclusive(onWait)) {
      return pruneLocked(all, extraRoots, hook);
    }
  }

  private PruneReport pruneLocked(boolean all, Set<Digest> extraRoots, Hook hook)
      throws IOException {
    ContentStore content = store.content();
    Set<Digest> tagged = new HashSet<>();
    for (TaggedImage t : store.images().list()) {
      tagged.add(t.manifest().digest());
    }
    // 1. Untagged images.
    List<Digest> deletedImages = new ArrayList<>();
    long reclaimed = 0;
    for (Descriptor d : store.images().listAll()) {
      if (tagged.contains(d.digest()) || extraRoots.contains(d.digest())) {
        continue;
      }
      Digest id = null;
      try {
        id = store.images().load(d.digest()).id();
      } catch (IOException e) {
        // broken: still removed
      }
      store.images().delete(d.digest());
      deletedImages.add(id != null ? id : d.digest());
    }
    // 2. Build cache roots.
    int cacheRoots = 0;
    Map<String, List<Digest>> roots = store.gcRoots().list();
    if (all) {
      for (String name : new ArrayList<>(roots.keySet())) {
        if (name.startsWith(GcRoots.BUILD_CACHE_PREFIX)) {
          store.gcRoots().remove(name);
          roots.remove(name);
          cacheRoots++;
        }
      }
    }
    // 3. Mark.
    Set<Digest> marked = new HashSet<>();
    Set<Digest> keptChains = new HashSet<>();
    for (Digest manifest : tagged) {
      mark(manifest, marked, keptChains);
    }
    for (Digest d : extraRoots) {
      mark(d, marked, keptChains);
    }
    for (List<Digest> digests : roots.values()) {
      for (Digest d : digests) {
        mark(d, marked, keptChains);
      }
    }
    // 4. Sweep blobs.
    int blobs = 0;
    for (Digest d : content.list()) {
      if (!marked.contains(d)) {
        long size = Files.size(content.pathOf(d));
        if (content.delete(d)) {
          blobs++;
          reclaimed += size;
        }
        content.deleteLayerInfo(d);
      }
    }
    for (Digest d : content.listDeferred()) {
      if (!marked.contains(d) && content.deleteDeferred(d)) {
        blobs++;
        content.deleteLayerInfo(d);
      }
    }
    for (Digest d : content.listLayerInfo()) {
      if (!content.contains(d)) {
        content.deleteLayerInfo(d);
      }
    }
    cacheRoots += hook.afterSweep(all, content::contains);
    // 5. Snapshots. A kept blob still deferred on a snapshot about to go is written first.
    Set<Digest> doomed = new HashSet<>();
    for (SnapshotRecord r : store.snapshots().list()) {
      if (all || !keptChains.contains(r.chainId())) {
        doomed.add(r.chainId());
      }
    }
    writeDeferredBlobsOf(doomed);
    int snapshots = 0;
    for (SnapshotRecord r : store.snapshots().list()) {
      if (doomed.contains(r.chainId())) {
        long size = r.tree() != null ? r.tree().bytes() : 0;
        if (store.snapshots().remove(r.chainId())) {
          snapshots++;
          reclaimed += size;
        }
      }
    }
    // 6. Leftovers.
    int leftovers = store.snapshots().removeLeftovers();
    List<Path> stale = new ArrayList<>(content.staleIngests());
    stale.addAll(store.images().leftovers());
    stale.addAll(store.tempLeftovers());
    for (Path p : stale) {
      if (Files.isRegularFile(p)) {
        reclaimed += Files.size(p);
      }
      Trees.deleteRecursively(p);
      leftovers++;
    }
    return new PruneReport(deletedImages, blobs, snapshots, cacheRoots, leftovers, reclaimed);
  }

  /**
   * Writes every (kept) deferred blob that needs a snapshot in {@code doomed} (its own or one
   * below it). One that cannot be written (its snapshot is damaged) keeps its snapshots, so that
   * verify can say which image is broken.
   */
  private void writeDeferredBlobsOf(Set<Digest> doomed) throws IOException {
    ContentStore content = store.content();
    for (Digest d : content.listDeferred()) {
      var record = content.deferred(d);
      if (record.isEmpty()) {
        continue;
      }
      List<Digest> chains = ChainIds.of(record.get().chainDiffIds());
      if (chains.stream().noneMatch(doomed::contains)) {
        continue;
      }
      try {
        content.ensureStored(d);
      } catch (IOException e) {
        LOG.warn("kept the snapshots of layer blob {}: {}", d, e.getMessage());
        chains.forEach(doomed::remove);
      }
    }
  }

  /**
   * Marks a digest and, if it is a stored manifest or index, everything it references. A
   * deferred blob is a layer: marked, never read.
   */
  private void mark(Digest digest, Set<Digest> marked, Set<Digest> keptChains)
      throws IOException {
    if (!marked.add(digest) || !store.content().isStored(digest)) {
      return;
    }
    long size = store.content().size(digest);
    if (size > 4 * 1024 * 1024) {
      return; // a layer, not a manifest
    }
    byte[] bytes;
    String mediaType;
    try {
      bytes = store.content().readAll(digest);
      mediaType = OciJson.mapper().readTree(bytes).path("mediaType").asText("");
      if (mediaType.isEmpty()) {
        var tree = OciJson.mapper().readTree(bytes);
        mediaType = tree.has("manifests") ? MediaTypes.OCI_INDEX
            : tree.has("config") && tree.has("layers") ? MediaTypes.OCI_MANIFEST : "";
      }
    } catch (IOException | RuntimeException e) {
      return; // not JSON, or corrupt (verify reports that): nothing more to mark
    }
    if (MediaTypes.isIndex(mediaType)) {
      ImageIndex index = OciJson.fromBytes(bytes, ImageIndex.class);
      for (Descriptor m : index.manifests()) {
        mark(m.digest(), marked, keptChains);
      }
    } else if (MediaTypes.isManifest(mediaType)) {
      try {
        Image image = store.images().load(digest);
        marked.add(image.id());
        List<Digest> diffIds = new ArrayList<>();
        for (var layer : image.layers()) {
          marked.add(layer.blob().digest());
          diffIds.add(layer.diffId());
        }
        keptChains.addAll(ChainIds.of(diffIds));
      } catch (IOException e) {
        // A broken image keeps what its manifest lists; verify reports it.
        var manifest = OciJson.fromBytes(bytes, dev.jbuild.layerstore.oci.ImageManifest.class);
        marked.add(manifest.config().digest());
        for (Descriptor layer : manifest.layers()) {
          marked.add(layer.digest());
        }
      }
    }
  }
}
