package dev.jbuild.layerstore.content;

import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.hash.DigestMismatchException;
import dev.jbuild.layerstore.hash.VerifyingInputStream;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Content-addressed blob storage on disk: {@code blobs/sha256/<hex>}, with writes staged in {@code
 * ingest/} and published by atomic rename, as containerd's content store does. A blob is visible
 * only once complete and verified. Reads verify the digest while streaming, so a blob corrupted on
 * disk is reported ({@link DigestMismatchException}), never served silently.
 *
 * <p>Thread-safe and safe for several processes sharing the directory: publication is a rename of
 * identical content, so concurrent writers of the same blob both succeed.
 */
public final class ContentStore {
  private final Path blobs;
  private final Path ingest;
  private final Path layerInfo;

  /**
   * The content store of the store rooted at {@code root} ({@code blobs/}, {@code ingest/},
   * {@code meta/layers/}), creating its directories. Public only so that the {@code LayerStore}
   * facade in the parent package can create it; everyone else gets it from {@code
   * LayerStore.content()}, so there is one instance per open store.
   *
   * @throws IOException if the directories cannot be created
   */
  public ContentStore(Path root) throws IOException {
    this.blobs = root.resolve("blobs");
    this.ingest = root.resolve("ingest");
    this.layerInfo = root.resolve("meta/layers");
    Files.createDirectories(blobs.resolve("sha256"));
    Files.createDirectories(ingest);
    Files.createDirectories(layerInfo);
  }

  /** True when the blob is stored (its content is not re-verified). */
  public boolean contains(Digest digest) {
    return Files.isRegularFile(pathOf(digest));
  }

  /**
   * The size of a stored blob.
   *
   * @throws BlobNotFoundException if it is not stored
   */
  public long size(Digest digest) throws IOException {
    try {
      return Files.size(pathOf(digest));
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(digest);
    }
  }

  /**
   * The file holding the blob, for efficient reads (mmap, sendfile, {@code FileChannel}). The file
   * may not exist. Callers must never write, rename or delete it, and should not trust its content
   * without verifying it; {@link #open} does that.
   */
  public Path pathOf(Digest digest) {
    return blobs.resolve(digest.algorithm()).resolve(digest.hex());
  }

  /**
   * Opens a blob for reading. Reading to the end verifies the digest and throws {@link
   * DigestMismatchException} if the stored bytes are corrupt. The caller closes the stream.
   *
   * @throws BlobNotFoundException if it is not stored
   */
  public InputStream open(Digest digest) throws IOException {
    return open(digest, -1);
  }

  /** Like {@link #open(Digest)}, also checking the size promised by {@code descriptor}. */
  public InputStream open(Descriptor descriptor) throws IOException {
    return open(descriptor.digest(), descriptor.size());
  }

  private InputStream open(Digest digest, long expectedSize) throws IOException {
    Path path = pathOf(digest);
    InputStream raw;
    try {
      raw = Files.newInputStream(path);
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(digest);
    }
    return new VerifyingInputStream(
        new BufferedInputStream(raw, 64 * 1024), digest, expectedSize, "stored blob " + path);
  }

  /**
   * Reads a whole (small) blob, verifying size and digest: for manifests and configs.
   *
   * @throws DigestMismatchException if the stored bytes do not match {@code descriptor}
   */
  public byte[] readAll(Descriptor descriptor) throws IOException {
    if (descriptor.size() > Integer.MAX_VALUE - 16) {
      throw new IOException("Tried to read blob " + descriptor.digest() + " into memory but failed"
          + " because: it has " + descriptor.size() + " bytes");
    }
    try (InputStream in = open(descriptor)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) descriptor.size());
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  /** Reads a whole (small) blob whose size is not known, verifying its digest. */
  public byte[] readAll(Digest digest) throws IOException {
    return readAll(Descriptor.of("application/octet-stream", digest, size(digest)));
  }

  /** Stores {@code bytes} (a no-op if already stored) and returns its descriptor. */
  public Descriptor put(String mediaType, byte[] bytes) throws IOException {
    Digest digest = Digest.sha256(bytes);
    if (contains(digest)) {
      return Descriptor.of(mediaType, digest, bytes.length);
    }
    try (BlobWriter writer = newWriter()) {
      OutputStream out = writer.stream();
      out.write(bytes);
      return writer.commit(mediaType, digest, bytes.length);
    }
  }

  /** Starts writing a blob; see {@link BlobWriter}. */
  public BlobWriter newWriter() throws IOException {
    return new BlobWriter(this, Files.createTempFile(ingest, "blob-", ".partial"));
  }

  /**
   * Deletes a stored blob. Callers must make sure nothing references it.
   *
   * @return true if it existed
   */
  public boolean delete(Digest digest) throws IOException {
    return Files.deleteIfExists(pathOf(digest));
  }

  /**
   * Every stored sha256 blob, in no particular order. Files that are not named like a digest are
   * left out (nothing jbuild writes looks like that).
   */
  public List<Digest> list() throws IOException {
    List<Digest> digests = new ArrayList<>();
    try (Stream<Path> files = Files.list(blobs.resolve("sha256"))) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.matches("[0-9a-f]{64}")) {
          digests.add(new Digest("sha256", name));
        }
      }
    }
    return digests;
  }

  /**
   * Re-reads a stored blob and checks that its bytes still hash to its name.
   *
   * @return true if intact, false if corrupt
   * @throws BlobNotFoundException if it is not stored
   */
  public boolean verify(Digest digest) throws IOException {
    try (InputStream in = open(digest)) {
      in.transferTo(OutputStream.nullOutputStream());
      return true;
    } catch (DigestMismatchException e) {
      return false;
    }
  }

  /**
   * Records what is known about a layer blob (see {@link LayerInfo}); replaces an older record.
   * The write is atomic.
   */
  public void putLayerInfo(LayerInfo info) throws IOException {
    FileLocks.writeAtomically(layerInfo.resolve(info.blob().hex()), OciJson.toBytes(info));
  }

  /** The recorded information about a layer blob, if any (a damaged record counts as none). */
  public Optional<LayerInfo> layerInfo(Digest blob) throws IOException {
    try {
      return Optional.of(OciJson.fromBytes(
          Files.readAllBytes(layerInfo.resolve(blob.hex())), LayerInfo.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // rewritten the next time the layer is read
    }
  }

  /** The blob digests that have a {@link LayerInfo} record. */
  public List<Digest> listLayerInfo() throws IOException {
    List<Digest> digests = new ArrayList<>();
    try (Stream<Path> files = Files.list(layerInfo)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.matches("[0-9a-f]{64}")) {
          digests.add(new Digest("sha256", name));
        }
      }
    }
    return digests;
  }

  /** Deletes the {@link LayerInfo} record of a blob; returns true if it existed. */
  public boolean deleteLayerInfo(Digest blob) throws IOException {
    return Files.deleteIfExists(layerInfo.resolve(blob.hex()));
  }

  /**
   * The files in {@code ingest/} (and temp files of {@code meta/layers}) left by writers that
   * are gone: killed processes or aborted writes whose cleanup failed. Files of live writers are
   * locked and never listed.
   */
  public List<Path> staleIngests() throws IOException {
    List<Path> stale = new ArrayList<>();
    for (Path dir : List.of(ingest, layerInfo)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          String name = file.getFileName().toString();
          if (dir.equals(ingest) ? !FileLocks.isLocked(file) : name.endsWith(".tmp")
              && olderThanAMinute(file)) {
            stale.add(file);
          }
        }
      }
    }
    return stale;
  }

  private static boolean olderThanAMinute(Path file) throws IOException {
    try {
      return Files.getLastModifiedTime(file).toMillis() < System.currentTimeMillis() - 60_000;
    } catch (NoSuchFileException e) {
      return false;
    }
  }
}
