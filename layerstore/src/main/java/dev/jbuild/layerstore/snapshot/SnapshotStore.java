package dev.jbuild.layerstore.snapshot;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.fs.PrivateDirs;
import dev.jbuild.layerstore.fs.TreeSummary;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.tar.SafeTarExtractor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Unpacked layers in overlay form, one directory per ChainID, so a layer shared by many images is
 * unpacked once. Layout under {@code root/snapshots}:
 *
 * <pre>
 * &lt;n&gt;/                    one layer's files, whiteouts as char 0/0, opaque dirs as xattrs
 * meta/chains/&lt;chainhex&gt;  the published mapping ChainID → n (its presence = published)
 * meta/info/&lt;n&gt;          the {@link SnapshotRecord}, written before publication
 * meta/next-id             the id counter
 * meta/locks/              lock files
 * tmp/                     extractions in progress
 * scratch/                 upper/work directory pairs for running steps
 * empty/                   the lowerdir of an image without layers
 * </pre>
 *
 * <p>Each layer is extracted into {@code tmp/} while its DiffID is verified, then renamed into
 * place and published by atomically writing its mapping file; a failed or corrupt extraction is
 * deleted. Thread-safe and safe across processes: preparing the same ChainID concurrently waits on
 * a per-ChainID file lock, and only one unpack happens. A process killed at any point leaves at
 * most unpublished leftovers ({@link #leftovers()}), never a published but incomplete snapshot.
 * Scratch directories are locked while open, so leftovers of killed builds can be told from
 * live ones.
 */
public final class SnapshotStore {
  private final Path root;
  private final ContentStore content;
  private final SafeTarExtractor extractor;

  /**
   * Opens the snapshot directory (created if missing).
   *
   * @param root the {@code snapshots} directory
   * @param content where layer blobs are read from
   */
  public SnapshotStore(Path root, ContentStore content) throws IOException {
    this(root, content, new SafeTarExtractor(SafeTarExtractor.Options.overlay()));
  }

  /** Like {@link #SnapshotStore(Path, ContentStore)} with custom extraction options. */
  public SnapshotStore(Path root, ContentStore content, SafeTarExtractor extractor)
      throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.content = content;
    this.extractor = extractor;
    // Owner only: snapshots hold images' setuid binaries (issue #10 item 2, see PrivateDirs).
    PrivateDirs.create(this.root);
    for (String dir : new String[] {"meta/chains", "meta/info", "meta/locks", "tmp", "scratch",
        "empty"}) {
      Files.createDirectories(this.root.resolve(dir));
    }
  }

  /** The directory that snapshot names are relative to. */
  public Path layersRoot() {
    return root;
  }

  /**
   * Makes sure every layer is unpacked (in order, each on top of the ones before) and returns
   * the lowerdirs of the stack. Layer blobs must be in the content store.
   *
   * @param layers the image's layers, base first
   * @throws dev.jbuild.layerstore.hash.DigestMismatchException if a blob or its DiffID is wrong
   * @throws dev.jbuild.layerstore.tar.UnsafeTarEntryException if a layer is refused
   */
  public Snapshot prepare(List<Layer> layers) throws IOException {
    if (layers.isEmpty()) {
      return new Snapshot(root, List.of("empty"));
    }
    List<Digest> diffIds = new ArrayList<>();
    for (Layer layer : layers) {
      diffIds.add(layer.diffId());
    }
    List<Digest> chain = ChainIds.of(diffIds);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      ids.add(ensure(chain.get(i), layers.get(i), ids));
    }
    Collections.reverse(ids);
    return new Snapshot(root, ids);
  }

  /**
   * Publishes a build step's upperdir as the snapshot of {@code below + layer}, instead of
   * unpacking {@code layer} again for the next step: an overlay upperdir already is a snapshot in
   * overlay form (whiteouts as 0/0 devices, opaque directories as xattrs). It may hold a little
   * more than the layer (unchanged copied-up directories, whiteouts of names absent below), which
   * changes nothing in a merged view.
   *
   * <p>Only valid when {@code layer} was diffed from exactly this upperdir with the file times
   * kept ({@code SOURCE_DATE_EPOCH} clamping makes the layer differ from the files), on top of
   * the snapshots of {@code below}. On success the upperdir is moved away; closing the scratch
   * then deletes only the workdir.
   *
   * @return true when adopted; false when that ChainID was already unpacked (nothing changes)
   */
  public boolean adopt(List<Layer> below, Layer layer, Scratch scratch) throws IOException {
    return adopt(below, layer, scratch, null);
  }

  /**
   * Like {@link #adopt(List, Layer, Scratch)} with the upperdir's summary already computed (by
   * {@code LayerDiffer.diffAndSummarize}, which walks it anyway), so it is not walked again.
   *
   * @param upperSummary {@code TreeSummary.of(scratch.upperDir())} as the upperdir is now, or
   *     null to compute it here
   */
  @SuppressWarnings("try") // the lock is held by the try block, not used in it
  public boolean adopt(List<Layer> below, Layer layer, Scratch scratch, TreeSummary upperSummary)
      throws IOException {
    List<Digest> diffIds = new ArrayList<>();
    for (Layer l : below) {
      diffIds.add(l.diffId());
    }
    diffIds.add(layer.diffId());
    Digest chainId = ChainIds.top(diffIds);
    if (lookup(chainId).isPresent()) {
      return false;
    }
    try (FileLocks.Held lock = FileLocks.lock(root.resolve("meta/locks/" + chainId.hex()))) {
      if (lookup(chainId).isPresent()) {
        return false;
      }
      Path upper = scratch.upperDir();
      String id = allocateId();
      SnapshotRecord record = new SnapshotRecord(id, chainId, layer.diffId(),
          layer.blob().digest(), upperSummary != null ? upperSummary : TreeSummary.of(upper));
      FileLocks.writeAtomically(root.resolve("meta/info").resolve(id), OciJson.toBytes(record));
      Files.move(upper, root.resolve(id), StandardCopyOption.ATOMIC_MOVE);
      FileLocks.writeAtomically(root.resolve("meta/chains").resolve(chainId.hex()),
          id.getBytes(StandardCharsets.US_ASCII));
      return true;
    }
  }

  /**
   * The snapshot directory name of a published ChainID, if it is unpacked.
   */
  public Optional<String> lookup(Digest chainId) throws IOException {
    Path mapping = root.resolve("meta/chains").resolve(chainId.hex());
    try {
      String id = Files.readString(mapping, StandardCharsets.US_ASCII).trim();
      return Files.isDirectory(root.resolve(id)) ? Optional.of(id) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * Creates an empty upperdir/workdir pair for an overlay mount; close it to delete it.
   */
  public Scratch newScratch() throws IOException {
    Path dir = Files.createTempDirectory(root.resolve("scratch"), "s");
    ScratchLocks.hold(dir);
    try {
      Path upper = Files.createDirectory(dir.resolve("upper"));
      Path work = Files.createDirectory(dir.resolve("work"));
      Files.setPosixFilePermissions(upper, PosixFilePermissions.fromString("rwxr-xr-x"));
      return new Scratch(upper, work);
    } catch (IOException | RuntimeException e) {
      ScratchLocks.release(dir);
      Trees.deleteRecursively(dir);
      throw e;
    }
  }

  /**
   * Every published snapshot, with its record. Snapshots unpacked by older versions (no record)
   * are listed with what the mapping says.
   */
  public List<SnapshotRecord> list() throws IOException {
    List<SnapshotRecord> records = new ArrayList<>();
    try (var files = Files.list(root.resolve("meta/chains"))) {
      for (Path mapping : (Iterable<Path>) files::iterator) {
        String hex = mapping.getFileName().toString();
        if (!hex.matches("[0-9a-f]{64}")) {
          continue;
        }
        String id;
        try {
          id = Files.readString(mapping, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
          continue;
        }
        Digest chainId = new Digest("sha256", hex);
        records.add(record(id).filter(r -> r.chainId().equals(chainId))
            .orElse(new SnapshotRecord(id, chainId, null, null, null)));
      }
    }
    return records;
  }

  /** The record written when snapshot {@code id} was unpacked, if any. */
  public Optional<SnapshotRecord> record(String id) throws IOException {
    if (!id.matches("[0-9]+")) {
      return Optional.empty();
    }
    try {
      return Optional.of(OciJson.fromBytes(
          Files.readAllBytes(root.resolve("meta/info").resolve(id)), SnapshotRecord.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Unpublishes and deletes the snapshot of {@code chainId}: the mapping goes first (so nobody
   * starts using it), then the directory is moved into {@code tmp/} and deleted, so a crash
   * midway leaves only a leftover. Callers make sure no mount uses it (garbage collection holds
   * the store's exclusive lock).
   *
   * @return true if it existed
   */
  @SuppressWarnings("try") // the lock is held by the try block, not used in it
  public boolean remove(Digest chainId) throws IOException {
    try (FileLocks.Held lock = FileLocks.lock(root.resolve("meta/locks/" + chainId.hex()))) {
      Path mapping = root.resolve("meta/chains").resolve(chainId.hex());
      String id;
      try {
        id = Files.readString(mapping, StandardCharsets.US_ASCII).trim();
      } catch (NoSuchFileException e) {
        return false;
      }
      Files.delete(mapping);
      if (id.matches("[0-9]+")) {
        discard(id);
      }
      return true;
    }
  }

  private void discard(String id) throws IOException {
    Path dir = root.resolve(id);
    if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Path doomed = root.resolve("tmp").resolve("rm-" + id + "-" + System.nanoTime());
      Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
      Files.deleteIfExists(root.resolve("meta/info").resolve(id));
      Trees.deleteRecursively(doomed);
    } else {
      Files.deleteIfExists(root.resolve("meta/info").resolve(id));
    }
  }

  /**
   * Recomputes the metadata fingerprint of a published snapshot and compares it with its
   * record.
   *
   * @return empty if it matches (or there is no record to compare with), else what differs
   */
  public Optional<String> check(SnapshotRecord record) throws IOException {
    Path dir = root.resolve(record.id());
    if (!record.id().matches("[0-9]+") || !Files.isDirectory(dir)) {
      return Optional.of("its directory " + record.id() + " is missing");
    }
    if (record.tree() == null) {
      return Optional.empty();
    }
    TreeSummary now = TreeSummary.of(dir);
    if (now.equals(record.tree())) {
      return Optional.empty();
    }
    return Optional.of("its files changed since it was unpacked (" + record.tree().entries()
        + " entries, " + record.tree().bytes() + " bytes then; " + now.entries() + " entries, "
        + now.bytes() + " bytes now)");
  }

  /**
   * What interrupted work left behind: extraction and removal directories in {@code tmp/} whose
   * process is gone, scratch directories nobody holds, snapshot directories and records that were
   * never published, and temp files of atomic writes. Live work is never listed.
   */
  public List<Path> leftovers() throws IOException {
    return SnapshotLeftovers.find(this, root);
  }

  /** Deletes {@link #leftovers()}; returns how many were removed. */
  public int removeLeftovers() throws IOException {
    int n = 0;
    for (Path p : leftovers()) {
      Trees.deleteRecursively(p);
      n++;
    }
    return n;
  }

  @SuppressWarnings("try") // the lock is held by the try block, not used in it
  private String ensure(Digest chainId, Layer layer, List<String> lowerIdsBottomFirst)
      throws IOException {
    Optional<String> existing = lookup(chainId);
    if (existing.isPresent()) {
      return existing.get();
    }
    try (FileLocks.Held lock = FileLocks.lock(root.resolve("meta/locks/" + chainId.hex()))) {
      existing = lookup(chainId);
      if (existing.isPresent()) {
        return existing.get(); // another thread or process unpacked it while we waited
      }
      // Named after the ChainID so that garbage collection can see (through the lock) that the
      // extraction is alive.
      Path tmp = Files.createTempDirectory(root.resolve("tmp"), chainId.hex() + ".");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Path> lowers = new ArrayList<>();
        for (int i = lowerIdsBottomFirst.size() - 1; i >= 0; i--) {
          lowers.add(root.resolve(lowerIdsBottomFirst.get(i)));
        }
        SafeTarExtractor.Result result;
        try (InputStream blob = content.open(layer.blob())) {
          result = extractor.extract(blob, tmp, layer.diffId(), lowers);
          // Read the compressed blob to its end so its digest is verified too.
          blob.transferTo(OutputStream.nullOutputStream());
        }
        if (content.layerInfo(layer.blob().digest()).isEmpty()) {
          content.putLayerInfo(new LayerInfo(layer.blob().digest(), result.diffId(),
              result.tarSize(), result.contentSize()));
        }
        String id = allocateId();
        SnapshotRecord record = new SnapshotRecord(id, chainId, layer.diffId(),
            layer.blob().digest(), TreeSummary.of(tmp));
        FileLocks.writeAtomically(root.resolve("meta/info").resolve(id), OciJson.toBytes(record));
        Files.move(tmp, root.resolve(id), StandardCopyOption.ATOMIC_MOVE);
        FileLocks.writeAtomically(root.resolve("meta/chains").resolve(chainId.hex()),
            id.getBytes(StandardCharsets.US_ASCII));
        return id;
      } catch (IOException | RuntimeException e) {
        Trees.deleteRecursively(tmp);
        throw e;
      }
    }
  }

  @SuppressWarnings("try") // the lock is held by the try block, not used in it
  private String allocateId() throws IOException {
    try (FileLocks.Held lock = FileLocks.lock(root.resolve("meta/locks/next-id"))) {
      Path counter = root.resolve("meta/next-id");
      long next = 1;
      if (Files.exists(counter)) {
        next = Long.parseLong(Files.readString(counter, StandardCharsets.US_ASCII).trim());
      }
      while (Files.exists(root.resolve(Long.toString(next)))) {
        next++; // skip ids left by a crash between rename and counter update
      }
      FileLocks.writeAtomically(counter,
          Long.toString(next + 1).getBytes(StandardCharsets.US_ASCII));
      return Long.toString(next);
    }
  }
}
