package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Where {@link ImagePuller} puts blobs, typically the local layer store.
 *
 * <p>Contract (containerd's "content is invisible until committed"):
 *
 * <ol>
 *   <li>The puller asks {@link #contains} and skips blobs already present.
 *   <li>Otherwise it opens a {@link Writer}, streams the blob into {@link Writer#stream()} while
 *       verifying size and digest against the descriptor, and calls {@link Writer#commit()} only
 *       if they match.
 *   <li>It always closes the writer. Closing an uncommitted writer must discard what was written,
 *       so a corrupt or partial download is never visible.
 *   <li>For each layer it asks {@link #diffId} and fails the pull if that is not what the config
 *       says; the blob stays (it is intact, merely unused) until garbage collection.
 * </ol>
 *
 * <p>Implementations must be thread-safe: blobs are pulled in parallel, each with its own writer.
 */
public interface BlobSink {

  /**
   * True if the sink already holds {@code digest}.
   *
   * @throws IOException if the sink cannot be queried
   */
  boolean contains(Digest digest) throws IOException;

  /**
   * The content of a small blob the sink holds (the puller asks for the config, whose bytes it
   * returns), or empty if the sink cannot or will not read it back; the puller then downloads it.
   * The puller checks the bytes against the digest before using them.
   *
   * @throws IOException if reading fails
   */
  default java.util.Optional<byte[]> read(Digest digest) throws IOException {
    return java.util.Optional.empty();
  }

  /**
   * The DiffID of layer blob {@code layer}, which the sink holds (just committed, or found by
   * {@link #contains}): the digest of its uncompressed content. The puller compares it with the
   * image config's {@code rootfs.diff_ids} and refuses the image when they differ, so a sink must
   * compute it from the bytes (or from a record made from them), never echo an expectation.
   *
   * @throws IOException if the blob cannot be read or decompressed
   */
  Digest diffId(Descriptor layer) throws IOException;

  /**
   * Opens a writer for {@code descriptor}'s content.
   *
   * @throws IOException if the sink cannot accept content
   */
  Writer newWriter(Descriptor descriptor) throws IOException;

  /** One blob being written. Not thread-safe; used by one thread. */
  interface Writer extends Closeable {

    /** Where the puller writes the bytes; owned by the writer, not closed by the puller. */
    OutputStream stream();

    /**
     * Publishes the content. The puller calls it only after the bytes matched the descriptor's size
     * and digest; the sink may verify again.
     *
     * @throws IOException if publishing fails
     */
    void commit() throws IOException;

    /** Releases resources; discards the content unless {@link #commit()} succeeded. */
    @Override
    void close() throws IOException;
  }
}
