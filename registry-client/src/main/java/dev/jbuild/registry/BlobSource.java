package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;
import java.io.IOException;
import java.io.InputStream;

/**
 * Where the bytes of a blob to push come from. {@link #open()} may be called more than once (a
 * request is resent after an authentication challenge) and must return the same bytes each time.
 */
@FunctionalInterface
public interface BlobSource {

  /**
   * Opens a fresh stream over the blob's bytes; the caller closes it.
   *
   * @throws IOException if the content cannot be opened
   */
  InputStream open() throws IOException;

  /** A source over bytes in memory. */
  static BlobSource of(byte[] bytes) {
    return () -> new java.io.ByteArrayInputStream(bytes);
  }

  /** Finds the content to push by digest, typically from the local layer store. */
  @FunctionalInterface
  interface Provider {

    /**
     * The source for {@code digest}: blobs (config, layers) and, for an index, the child
     * manifests' bytes.
     *
     * @throws IOException if the content is not available locally
     */
    BlobSource get(Digest digest) throws IOException;
  }
}
