package dev.jbuild.layerstore.gc;

import dev.jbuild.layerstore.oci.Digest;
import java.util.List;

/**
 * What a prune removed.
 *
 * @param deletedImages image IDs (config digests) of the untagged images removed
 * @param deletedBlobs how many blobs were deleted
 * @param deletedSnapshots how many unpacked layers were deleted
 * @param deletedCacheRoots how many build cache roots were dropped ({@code --all})
 * @param deletedLeftovers how many leftovers of interrupted work were removed
 * @param reclaimedBytes the bytes of the deleted blobs and snapshots' regular files
 */
public record PruneReport(List<Digest> deletedImages, int deletedBlobs, int deletedSnapshots,
    int deletedCacheRoots, int deletedLeftovers, long reclaimedBytes) {
  /** Copies. */
  public PruneReport {
    deletedImages = List.copyOf(deletedImages);
  }
}
