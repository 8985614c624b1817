package dev.jbuild.layerstore.content;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jbuild.layerstore.oci.Digest;
import java.util.Objects;

/**
 * What the store knows about a layer blob beyond its bytes, recorded when the layer is made
 * (diff, import), loaded or unpacked, like containerd's {@code containerd.io/uncompressed} label.
 *
 * @param blob the digest of the stored (usually compressed) blob
 * @param diffId the digest of the uncompressed tar
 * @param tarSize the length of the uncompressed tar
 * @param contentSize Docker's layer size, which {@code docker images} adds up as SIZE: the
 *     regular files' sizes plus the symlinks' target lengths (what {@code directory.Size} of the
 *     unpacked layer gives; see {@code TarEntry.diskSize})
 */
public record LayerInfo(
    @JsonProperty("blob") Digest blob,
    @JsonProperty("diffId") Digest diffId,
    @JsonProperty("tarSize") long tarSize,
    @JsonProperty("contentSize") long contentSize) {
  /** Validates. */
  public LayerInfo {
    Objects.requireNonNull(blob, "blob");
    Objects.requireNonNull(diffId, "diffId");
  }
}
