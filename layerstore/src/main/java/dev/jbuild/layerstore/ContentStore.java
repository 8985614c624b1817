package dev.jbuild.layerstore;

import dev.jbuild.layerstore.hash.VerifyingInputStream;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

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

  ContentStore(Path root) throws IOException {
    this.blobs = root.resolve("blobs");
    this.ingest = root.resolve("ingest");
    Files.createDirectories(blobs.resolve("sha256"));
    Files.createDirectories(ingest);
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
}
