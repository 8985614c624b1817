package dev.jbuild.builder.cache;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The config blob of a jbuild cache artifact ({@link #MEDIA_TYPE}): which layer each step key
 * produced. The artifact is an ordinary OCI image manifest whose config is this blob and whose
 * layers are the entries' layer blobs (each once, in entry order), so any distribution registry
 * stores, keeps and mounts them. Only digests, sizes, media types and times are written: a key is
 * a sha256 over the step's inputs, so secrets, build-arg values and host paths never appear.
 *
 * @param version {@link BuildCache#VERSION} of the jbuild that wrote it; other versions' keys
 *     never match, so an import of another version is refused with one warning
 * @param entries the steps, in the order they ran
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CacheConfig(
    @JsonProperty("version") String version,
    @JsonProperty("entries") List<Entry> entries) {
  /** The config media type that marks a manifest as a jbuild cache. */
  public static final String MEDIA_TYPE = "application/vnd.jbuild.cache.config.v1+json";

  /**
   * The image label that carries an inline cache ({@code --cache-to type=inline}), as BuildKit
   * keeps its inline cache in the image config: this JSON, for the image's own steps.
   */
  public static final String INLINE_LABEL = "dev.jbuild.cache.v1";

  /** Validates and copies. */
  public CacheConfig {
    entries = entries == null ? List.of() : List.copyOf(entries);
  }

  /**
   * One step.
   *
   * @param key the step's cache key
   * @param layer the layer blob (digest, size, media type), or null when the step changed nothing
   * @param diffId the layer's DiffID, or null with no layer
   * @param created when the step first ran (RFC 3339), reused so a hit gives the same image ID
   * @param alias another key of the same step, or null: a {@code COPY --from}'s chain key (the
   *     source stage's ChainID, needing none of its files) names its content key (the files'
   *     checksums); a hit on one exports both
   * @param layerOmitted true when the artifact does not carry the layer ({@code mode=min}: a step
   *     of a stage the final image only reads through {@code COPY --from} or {@code FROM}):
   *     {@code layer} is then null and {@code diffId} says which layer the step made, so that
   *     ChainIDs and chain keys above it can be computed; null otherwise
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Entry(
      @JsonProperty("key") Digest key,
      @JsonProperty("layer") Descriptor layer,
      @JsonProperty("diffID") Digest diffId,
      @JsonProperty("created") String created,
      @JsonProperty("alias") Digest alias,
      @JsonProperty("layerOmitted") Boolean layerOmitted) {
    /** Validates. */
    @com.fasterxml.jackson.annotation.JsonCreator
    public Entry {
      Objects.requireNonNull(key, "key");
      if (Boolean.TRUE.equals(layerOmitted)) {
        if (layer != null || diffId == null) {
          throw new IllegalArgumentException("cache entry " + key
              + ": an omitted layer has a diffID and no layer");
        }
      } else if ((layer == null) != (diffId == null)) {
        throw new IllegalArgumentException("cache entry " + key
            + ": a layer needs a diffID and a diffID a layer");
      }
      layerOmitted = Boolean.TRUE.equals(layerOmitted) ? Boolean.TRUE : null;
    }

    /** An entry whose layer, if any, is carried. */
    public Entry(Digest key, Descriptor layer, Digest diffId, String created, Digest alias) {
      this(key, layer, diffId, created, alias, null);
    }

    /** Whether the artifact omits this step's layer (it has a DiffID but no blob). */
    public boolean omitsLayer() {
      return layerOmitted != null;
    }

    /** This entry without its layer blob (its DiffID kept); an entry without a layer as is. */
    public Entry withoutLayer() {
      return diffId == null || omitsLayer() ? this
          : new Entry(key, null, diffId, created, alias, Boolean.TRUE);
    }

    /** The entry's layer, if it has one and carries it. */
    public java.util.Optional<Layer> asLayer() {
      return layer == null ? java.util.Optional.empty()
          : java.util.Optional.of(new Layer(Descriptor.of(layer.mediaType(), layer.digest(),
              layer.size()), diffId));
    }

    /** An entry for {@code layer} (or "no change"). */
    public static Entry of(Digest key, java.util.Optional<Layer> layer, String created,
        Digest alias) {
      return new Entry(key, layer.map(l -> Descriptor.of(l.blob().mediaType(),
          l.blob().digest(), l.blob().size())).orElse(null),
          layer.map(Layer::diffId).orElse(null), created, alias);
    }
  }

  /** The serialized config. */
  public byte[] toBytes() {
    return OciJson.toBytes(this);
  }

  /**
   * Parses a config blob.
   *
   * @throws IOException when the bytes are not a cache config
   */
  public static CacheConfig parse(byte[] bytes) throws IOException {
    try {
      CacheConfig c = OciJson.fromBytes(bytes, CacheConfig.class);
      if (c.version() == null) {
        throw new IOException("it has no version");
      }
      return c;
    } catch (RuntimeException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The entries by key (the last one wins when a key repeats). */
  public Map<Digest, Entry> byKey() {
    Map<Digest, Entry> map = new LinkedHashMap<>();
    entries.forEach(e -> map.put(e.key(), e));
    return map;
  }

  /** The artifact's manifest for this config, stored as {@code config}. */
  public ImageManifest manifest(Descriptor config) {
    Map<Digest, Descriptor> layers = new LinkedHashMap<>();
    for (Entry e : entries) {
      if (e.layer() != null) {
        String type = MediaTypes.DOCKER_LAYER_GZIP.equals(e.layer().mediaType())
            ? MediaTypes.OCI_LAYER_GZIP : e.layer().mediaType();
        layers.putIfAbsent(e.layer().digest(), Descriptor.of(type, e.layer().digest(),
            e.layer().size()));
      }
    }
    return ImageManifest.oci(config, new ArrayList<>(layers.values()));
  }
}
