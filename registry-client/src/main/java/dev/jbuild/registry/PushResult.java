package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;

/**
 * What {@link ImagePusher#push} did.
 *
 * @param digest the digest of the pushed top-level manifest (or index)
 * @param size the size of its bytes
 * @param blobsUploaded blobs uploaded, over all manifests pushed
 * @param blobsSkipped blobs the registry already had
 * @param blobsMounted blobs mounted from another repository of the registry instead of uploaded
 */
public record PushResult(
    Digest digest, long size, int blobsUploaded, int blobsSkipped, int blobsMounted) {

  /** A result without mounts. */
  public PushResult(Digest digest, long size, int blobsUploaded, int blobsSkipped) {
    this(digest, size, blobsUploaded, blobsSkipped, 0);
  }
}
