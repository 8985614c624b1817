package dev.jbuild.layerstore.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jbuild.layerstore.fs.TreeSummary;
import dev.jbuild.layerstore.oci.Digest;
import java.util.Objects;

/**
 * What the store recorded about one unpacked layer ({@code snapshots/meta/info/<id>}), written
 * before the snapshot is published so that {@code verify} can check the directory later.
 *
 * @param id the snapshot directory name
 * @param chainId the ChainID it was unpacked for
 * @param diffId the layer's DiffID
 * @param blob the layer blob it was unpacked from
 * @param tree the directory's metadata fingerprint right after unpacking; null for snapshots
 *     unpacked by older jbuild versions
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotRecord(
    @JsonProperty("id") String id,
    @JsonProperty("chainId") Digest chainId,
    @JsonProperty("diffId") Digest diffId,
    @JsonProperty("blob") Digest blob,
    @JsonProperty("tree") TreeSummary tree) {
  /** Validates. */
  public SnapshotRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(chainId, "chainId");
  }
}
