package dev.jbuild.layerstore.content;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import java.util.List;
import java.util.Objects;

/**
 * A layer blob the store can make but has not written: a build step's upperdir was adopted as
 * the snapshot of {@code chainId}, and the blob is exactly what diffing that snapshot again (on
 * top of the snapshots of {@code below}) with {@code compression} gives. Its digest and size were
 * computed while the step's layer was streamed, so manifests can name it at once; the bytes are
 * written only when something reads the blob (push, save, export, a cache export), as Docker's
 * store keeps a layer unpacked until push. Recorded in {@code meta/deferred/<hex>}.
 *
 * @param blob the blob's descriptor (digest, size, media type)
 * @param diffId the digest of the uncompressed tar
 * @param chainId the ChainID of the snapshot the blob is made from
 * @param below the layers under it, base first (their snapshots are the diff's lowerdirs)
 * @param compression how it was compressed, as {@code LayerCompression.parse} reads it
 */
public record DeferredBlob(
    @JsonProperty("blob") Descriptor blob,
    @JsonProperty("diffId") Digest diffId,
    @JsonProperty("chainId") Digest chainId,
    @JsonProperty("below") List<Below> below,
    @JsonProperty("compression") String compression) {
  /** Validates. */
  public DeferredBlob {
    Objects.requireNonNull(blob, "blob");
    Objects.requireNonNull(diffId, "diffId");
    Objects.requireNonNull(chainId, "chainId");
    below = List.copyOf(below);
    Objects.requireNonNull(compression, "compression");
  }

  /**
   * One layer under the deferred one.
   *
   * @param blob its blob
   * @param diffId its DiffID
   */
  public record Below(@JsonProperty("blob") Descriptor blob, @JsonProperty("diffId") Digest diffId) {
    /** Validates. */
    public Below {
      Objects.requireNonNull(blob, "blob");
      Objects.requireNonNull(diffId, "diffId");
    }

    /** As a {@link Layer}. */
    public Layer layer() {
      return new Layer(blob, diffId);
    }

    /** Of a {@link Layer}. */
    public static Below of(Layer layer) {
      return new Below(layer.blob(), layer.diffId());
    }
  }

  /** The layers under it, as {@link Layer}s, base first. */
  public List<Layer> belowLayers() {
    return below.stream().map(Below::layer).toList();
  }

  /** The DiffIDs of the chain it tops, base first: the layers below, then its own. */
  public List<Digest> chainDiffIds() {
    List<Digest> diffIds = new java.util.ArrayList<>();
    below.forEach(b -> diffIds.add(b.diffId()));
    diffIds.add(diffId);
    return diffIds;
  }

  /** The layer it is. */
  public Layer layer() {
    return new Layer(blob, diffId);
  }
}
