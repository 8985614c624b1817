package dev.jbuild.layerstore.snapshot;

import dev.jbuild.layerstore.ContentStore;
import dev.jbuild.layerstore.Layer;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.oci.Digest;
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
 * a per-ChainID file lock, and only one unpack happens.
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
    for (String dir : new String[] {"meta/chains", "meta/locks", "tmp", "scratch", "empty"}) {
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
   * @throws dev.jbuild.layerstore.DigestMismatchException if a blob or its DiffID is wrong
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
      ids.add(ensure(chain.get(i), layers.get(i)));
    }
    Collections.reverse(ids);
    return new Snapshot(root, ids);
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
    Path upper = Files.createDirectory(dir.resolve("upper"));
    Path work = Files.createDirectory(dir.resolve("work"));
    Files.setPosixFilePermissions(upper, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new Scratch(upper, work);
  }

  @SuppressWarnings("try") // the lock is held by the try block, not used in it
  private String ensure(Digest chainId, Layer layer) throws IOException {
    Optional<String> existing = lookup(chainId);
    if (existing.isPresent()) {
      return existing.get();
    }
    try (FileLocks.Held lock = FileLocks.lock(root.resolve("meta/locks/" + chainId.hex()))) {
      existing = lookup(chainId);
      if (existing.isPresent()) {
        return existing.get(); // another thread or process unpacked it while we waited
      }
      Path tmp = Files.createTempDirectory(root.resolve("tmp"), "x");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (InputStream blob = content.open(layer.blob())) {
          extractor.extract(blob, tmp, layer.diffId());
          // Read the compressed blob to its end so its digest is verified too.
          blob.transferTo(OutputStream.nullOutputStream());
        }
        String id = allocateId();
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
