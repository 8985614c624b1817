package dev.jbuild.layerstore.content;

import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.Descriptor;
import java.util.Objects;

/**
 * A filesystem layer: the stored (usually gzip) blob and the DiffID, the sha256 of the uncompressed
 * tar, which is what image configs list in {@code rootfs.diff_ids} and what ChainIDs are built from.
 *
 * @param blob the descriptor of the stored blob, as listed in a manifest
 * @param diffId the digest of the uncompressed tar
 */
public record Layer(Descriptor blob, Digest diffId) {
  /** Validates. */
  public Layer {
    Objects.requireNonNull(blob, "blob");
    Objects.requireNonNull(diffId, "diffId");
  }
}
