package dev.jbuild.layerstore.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A single-platform image manifest, OCI ({@code manifest.md}) or Docker schema 2; the two differ
 * only in media types.
 *
 * @param schemaVersion always 2
 * @param mediaType {@link MediaTypes#OCI_MANIFEST} or {@link MediaTypes#DOCKER_MANIFEST}
 * @param config the config descriptor
 * @param layers the layer descriptors, base first
 * @param annotations OCI annotations (empty for Docker manifests)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageManifest(
    @JsonProperty("schemaVersion") int schemaVersion,
    @JsonProperty("mediaType") String mediaType,
    @JsonProperty("config") Descriptor config,
    @JsonProperty("layers") List<Descriptor> layers,
    @JsonProperty("annotations") Map<String, String> annotations) {

  /** Validates and copies. */
  public ImageManifest {
    Objects.requireNonNull(config, "config");
    layers = layers == null ? List.of() : List.copyOf(layers);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  /** A Docker schema 2 manifest, the format {@code docker push} sends. */
  public static ImageManifest docker(Descriptor config, List<Descriptor> layers) {
    return new ImageManifest(2, MediaTypes.DOCKER_MANIFEST, config, layers, Map.of());
  }

  /** An OCI image manifest. */
  public static ImageManifest oci(Descriptor config, List<Descriptor> layers) {
    return new ImageManifest(2, MediaTypes.OCI_MANIFEST, config, layers, Map.of());
  }
}
