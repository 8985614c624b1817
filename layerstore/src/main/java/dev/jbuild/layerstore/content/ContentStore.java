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
 * <p><b>Deferred blobs.</b> A blob may also be known by a {@link DeferredBlob} record ({@code
 * meta/deferred/<hex>}): its digest and size are final, but its bytes are written by the store's
 * {@link Producer} the first time it is opened ({@link #open}, {@link #ensureStored}). {@link
 * #contains} and {@link #size} count such blobs; {@link #list} and {@link #pathOf} do not.
 *
 * <p>Thread-safe and safe for several processes sharing the directory: publication is a rename of
 * identical content, so concurrent writers of the same blob both succeed.
 */
public final class ContentStore {
  private final Path blobs;
  private final Path ingest;
  private final Path layerInfo;
  private final Path deferred;
  private volatile Producer producer;

  /** Writes the bytes of {@link DeferredBlob}s; the store's facade sets the one it has. */
  public interface Producer {
    /**
     * Writes {@code blob} into the store through a {@link BlobWriter} that checks its digest and
     * size, so that bytes which do not match are never published.
     *
     * @throws IOException with what was tried and why it failed (the snapshot is gone or changed)
     */
    void produce(DeferredBlob blob) throws IOException;

    /**
     * Writes {@code blob}'s bytes to {@code out} (not closed) as they are made, checking them
     * against its digest and size at the end.
     *
     * @throws IOException as {@link #produce}; after the last byte if the bytes differ
     */
    void stream(DeferredBlob blob, OutputStream out) throws IOException;
  }

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
    this.deferred = root.resolve("meta/deferred");
    Files.createDirectories(blobs.resolve("sha256"));
    Files.createDirectories(ingest);
    Files.createDirectories(layerInfo);
    Files.createDirectories(deferred);
  }

  /** Sets who writes deferred blobs when they are first read (the store's facade, once). */
  public void setProducer(Producer producer) {
    this.producer = producer;
  }

  /**
   * True when the blob is stored or deferred (its content is not re-verified; a deferred blob is
   * written when first opened).
   */
  public boolean contains(Digest digest) {
    return isStored(digest) || Files.isRegularFile(deferred.resolve(digest.hex()));
  }

  /** True when the blob's bytes are on disk (not only deferred). */
  public boolean isStored(Digest digest) {
    return Files.isRegularFile(pathOf(digest));
  }

  /**
   * The size of a stored or deferred blob.
   *
   * @throws BlobNotFoundException if it is neither
   */
  public long size(Digest digest) throws IOException {
    try {
      return Files.size(pathOf(digest));
    } catch (NoSuchFileException e) {
      Optional<DeferredBlob> later = deferred(digest);
      if (later.isPresent()) {
        return later.get().blob().size();
      }
      throw new BlobNotFoundException(digest);
    }
  }

  /**
   * Makes sure the blob's bytes are on disk, writing a deferred blob now.
   *
   * @throws BlobNotFoundException if it is neither stored nor deferred
   * @throws IOException if a deferred blob cannot be made (its snapshot is gone or changed)
   */
  public void ensureStored(Digest digest) throws IOException {
    if (!isStored(digest) && !produce(digest)) {
      throw new BlobNotFoundException(digest);
    }
  }

  /** Writes a deferred blob; false if there is no record for it. */
  private boolean produce(Digest digest) throws IOException {
    Optional<DeferredBlob> record = deferred(digest);
    if (record.isEmpty()) {
      return false;
    }
    Producer p = producer;
    if (p == null) {
      throw new IOException("Tried to write layer blob " + digest + " from its snapshot but"
          + " failed because: this content store was opened without its snapshots");
    }
    if (!isStored(digest)) { // another thread or process may have written it meanwhile
      p.produce(record.get());
    }
    deleteDeferred(digest);
    return true;
  }

  /**
   * The file holding the blob, for efficient reads (mmap, sendfile, {@code FileChannel}). The file
   * may not exist (a deferred blob has none until {@link #ensureStored}). Callers must never write,
   * rename or delete it, and should not trust its content without verifying it; {@link #open}
   * does that.
   */
  public Path pathOf(Digest digest) {
    return blobs.resolve(digest.algorithm()).resolve(digest.hex());
  }

  /**
   * Opens a blob for reading, writing it first if it is deferred. Reading to the end verifies the
   * digest and throws {@link DigestMismatchException} if the stored bytes are corrupt. The caller
   * closes the stream.
   *
   * @throws BlobNotFoundException if it is neither stored nor deferred
   */
  public InputStream open(Digest digest) throws IOException {
    return open(digest, -1);
  }

  /**
   * Opens a blob to send it on (a push), where the receiver checks the digest: a stored blob's
   * file as it is (no hashing here, and a skip is a seek), a deferred blob's bytes as they are
   * made from its snapshot, without writing them to the store. A deferred blob that cannot be
   * made fails the read at the end of the stream.
   *
   * @throws BlobNotFoundException if it is neither stored nor deferred
   */
  public InputStream openToSend(Digest digest) throws IOException {
    try {
      return Files.newInputStream(pathOf(digest));
    } catch (NoSuchFileException e) {
      Optional<DeferredBlob> record = deferred(digest);
      Producer p = producer;
      if (record.isEmpty() || p == null) {
        return open(digest); // not found, or the store's own error
      }
      return ProducedStream.start(p, record.get());
    }
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
      if (!produce(digest)) {
        throw new BlobNotFoundException(digest);
      }
      try {
        raw = Files.newInputStream(path);
      } catch (NoSuchFileException gone) {
        throw new BlobNotFoundException(digest); // deleted by a prune meanwhile
      }
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
   * Deletes a stored or deferred blob. Callers must make sure nothing references it.
   *
   * @return true if it existed
   */
  public boolean delete(Digest digest) throws IOException {
    boolean file = Files.deleteIfExists(pathOf(digest));
    return deleteDeferred(digest) || file;
  }

  /** Records a blob that will be written when first read (see {@link DeferredBlob}). Atomic. */
  public void putDeferred(DeferredBlob blob) throws IOException {
    FileLocks.writeAtomically(deferred.resolve(blob.blob().digest().hex()), OciJson.toBytes(blob));
  }

  /** The deferred-blob record of {@code digest}, if any (a damaged record counts as none). */
  public Optional<DeferredBlob> deferred(Digest digest) {
    try {
      DeferredBlob record = OciJson.fromBytes(
          Files.readAllBytes(deferred.resolve(digest.hex())), DeferredBlob.class);
      return record.blob().digest().equals(digest) ? Optional.of(record) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The digests with a {@link DeferredBlob} record, in no particular order. */
  public List<Digest> listDeferred() throws IOException {
    return digestsIn(deferred);
  }

  /** Deletes the {@link DeferredBlob} record of {@code digest}; true if it existed. */
  public boolean deleteDeferred(Digest digest) throws IOException {
    return Files.deleteIfExists(deferred.resolve(digest.hex()));
  }

  private static List<Digest> digestsIn(Path dir) throws IOException {
    List<Digest> digests = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
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
   * Every sha256 blob whose bytes are on disk, in no particular order (deferred blobs are in
   * {@link #listDeferred}). Files that are not named like a digest are left out (nothing jbuild
   * writes looks like that).
   */
  public List<Digest> list() throws IOException {
    return digestsIn(blobs.resolve("sha256"));
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
    return digestsIn(layerInfo);
  }

  /** Deletes the {@link LayerInfo} record of a blob; returns true if it existed. */
  public boolean deleteLayerInfo(Digest blob) throws IOException {
    return Files.deleteIfExists(layerInfo.resolve(blob.hex()));
  }

  /**
   * The files in {@code ingest/} (and temp files of {@code meta/}) left by writers that
   * are gone: killed processes or aborted writes whose cleanup failed. Files of live writers are
   * locked and never listed.
   */
  public List<Path> staleIngests() throws IOException {
    List<Path> stale = new ArrayList<>();
    for (Path dir : List.of(ingest, layerInfo, deferred)) {
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
