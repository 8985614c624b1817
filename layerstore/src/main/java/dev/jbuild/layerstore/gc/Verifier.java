package dev.jbuild.layerstore.gc;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.BlobNotFoundException;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.DeferredBlob;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.image.DiffIds;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.TaggedImage;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.snapshot.SnapshotRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Checks a whole {@link LayerStore}: re-hashes every blob against its name, checks every layer
 * record, every image (tags and untagged: manifest, config and layer blobs present, each layer's
 * content matching the config's {@code rootfs.diff_ids}, from its layer record or recomputed)
 * and every snapshot (its record matches its ChainID and its directory still matches the metadata
 * fingerprint taken when it was unpacked), and lists leftovers of interrupted work.
 *
 * <p>With {@code repair} (under the store's exclusive lock) it makes the store consistent again:
 * corrupt blobs are deleted, tags and registrations of images that can no longer be read are
 * removed, damaged snapshots are deleted (they are unpacked again when needed) and leftovers
 * are removed. Content that was lost cannot be recovered: the report says which images to pull
 * or build again.
 */
public final class Verifier {
  private final LayerStore store;

  /** Checks {@code store}. */
  public Verifier(LayerStore store) {
    this.store = store;
  }

  /**
   * Runs the check.
   *
   * @param repair also fix what can be fixed
   * @param progress receives a line per phase (may be a no-op)
   */
  @SuppressWarnings("try") // the lock is held by the try block, not used in it
  public VerifyReport verify(boolean repair, Consumer<String> progress) throws IOException {
    if (!repair) {
      return run(false, progress);
    }
    try (FileLocks.Held lock = store.lockExclusive(
        () -> progress.accept("Waiting for other jbuild processes to finish..."))) {
      return run(true, progress);
    }
  }

  private VerifyReport run(boolean repair, Consumer<String> progress) throws IOException {
    ContentStore content = store.content();
    List<String> problems = new ArrayList<>();
    List<String> repaired = new ArrayList<>();

    // Blobs.
    List<Digest> blobs = content.list();
    progress.accept("Checking " + blobs.size() + " blobs");
    Set<Digest> corrupt = new HashSet<>();
    for (Digest d : blobs) {
      boolean ok;
      try {
        ok = content.verify(d);
      } catch (BlobNotFoundException e) {
        continue; // deleted meanwhile
      }
      if (!ok) {
        corrupt.add(d);
        problems.add("blob " + d + " is corrupt (its content does not match its digest)");
        if (repair) {
          content.delete(d);
          content.deleteLayerInfo(d);
          repaired.add("deleted corrupt blob " + d);
        }
      }
    }
    // Deferred blobs: their snapshot must still be there, unchanged.
    for (Digest d : content.listDeferred()) {
      Optional<String> lost = checkDeferred(d);
      if (lost.isPresent()) {
        problems.add("layer blob " + d + " cannot be written: " + lost.get());
        if (repair) {
          content.deleteDeferred(d);
          repaired.add("forgot layer blob " + d);
        }
      }
    }
    // Layer records.
    for (Digest d : content.listLayerInfo()) {
      Optional<LayerInfo> info = content.layerInfo(d);
      if (info.isEmpty() || !info.get().blob().equals(d)) {
        problems.add("layer record of " + d + " is damaged");
        if (repair) {
          content.deleteLayerInfo(d);
          repaired.add("deleted damaged layer record of " + d);
        }
      }
    }

    // Images.
    Map<Digest, List<TaggedImage>> tagsByManifest = new LinkedHashMap<>();
    for (TaggedImage t : store.images().list()) {
      tagsByManifest.computeIfAbsent(t.manifest().digest(), k -> new ArrayList<>()).add(t);
    }
    Set<Digest> manifests = new HashSet<>(tagsByManifest.keySet());
    for (Descriptor d : store.images().listAll()) {
      manifests.add(d.digest());
    }
    progress.accept("Checking " + manifests.size() + " images");
    for (Digest manifest : manifests) {
      Optional<String> broken =
          checkImage(manifest, tagsByManifest.containsKey(manifest), corrupt);
      if (broken.isEmpty()) {
        continue;
      }
      List<TaggedImage> tags = tagsByManifest.getOrDefault(manifest, List.of());
      String names = tags.isEmpty() ? "untagged image " + manifest
          : "image " + tags.get(0).reference().familiar();
      problems.add(names + " is broken: " + broken.get() + " (pull or build it again)");
      if (repair) {
        for (TaggedImage t : tags) {
          store.images().untag(t.reference());
          repaired.add("untagged " + t.reference().familiar());
        }
        store.images().unregister(manifest);
        repaired.add("forgot image " + manifest);
      }
    }

    // Snapshots.
    List<SnapshotRecord> snapshots = store.snapshots().list();
    progress.accept("Checking " + snapshots.size() + " snapshots");
    for (SnapshotRecord r : snapshots) {
      Optional<String> damage = store.snapshots().check(r);
      if (damage.isPresent()) {
        problems.add("snapshot " + r.id() + " (chain " + r.chainId().shortHex() + ") is damaged: "
            + damage.get());
        if (repair) {
          store.snapshots().remove(r.chainId());
          repaired.add("deleted snapshot " + r.id() + " (unpacked again when needed)");
        }
      }
    }

    // Leftovers.
    List<Path> leftovers = new ArrayList<>(store.snapshots().leftovers());
    leftovers.addAll(content.staleIngests());
    leftovers.addAll(store.images().leftovers());
    leftovers.addAll(store.tempLeftovers());
    if (repair) {
      for (Path p : leftovers) {
        Trees.deleteRecursively(p);
      }
      if (!leftovers.isEmpty()) {
        repaired.add("removed " + leftovers.size() + " leftovers of interrupted work");
      }
    }
    return new VerifyReport(blobs.size(), snapshots.size(), manifests.size(), problems, repaired,
        repair ? List.of() : leftovers);
  }

  /** Empty if the deferred blob can still be written from its snapshot; otherwise why not. */
  private Optional<String> checkDeferred(Digest blob) throws IOException {
    Optional<DeferredBlob> record = store.content().deferred(blob);
    if (record.isEmpty()) {
      return store.content().isStored(blob) ? Optional.empty()
          : Optional.of("its record is damaged");
    }
    return store.checkDeferred(record.get());
  }

  /** Empty if the image is readable and complete; otherwise what is wrong. */
  private Optional<String> checkImage(Digest manifest, boolean tagged, Set<Digest> corrupt)
      throws IOException {
    Image image;
    try {
      image = store.images().load(manifest);
    } catch (IOException e) {
      if (tagged && store.content().contains(manifest)) {
        // A tag may point at an index (multi-platform pull): fine if its bytes are intact.
        try {
          String type = OciJson.mapper().readTree(store.content().readAll(manifest))
              .path("mediaType").asText("");
          if (MediaTypes.isIndex(type)) {
            return Optional.empty();
          }
        } catch (IOException ignored) {
          // reported below
        }
      }
      return Optional.of("cannot read its manifest or config: " + e.getMessage());
    }
    for (var layer : image.layers()) {
      Digest blob = layer.blob().digest();
      if (!store.content().contains(blob)) {
        return Optional.of("layer blob " + blob + " is missing");
      }
      if (corrupt.contains(blob)) {
        continue; // reported with the blobs; repair deletes it and the image is then incomplete
      }
      // The layer must be the one the config describes (issue #10: a pulled layer that does not
      // match rootfs.diff_ids used to pass as clean).
      Digest actual;
      try {
        actual = DiffIds.of(store.content(), blob);
      } catch (IOException e) {
        return Optional.of("cannot read layer " + blob + ": " + e.getMessage());
      }
      if (!actual.equals(layer.diffId())) {
        return Optional.of(DiffIds.mismatch(blob, layer.diffId(), actual));
      }
    }
    return Optional.empty();
  }
}
