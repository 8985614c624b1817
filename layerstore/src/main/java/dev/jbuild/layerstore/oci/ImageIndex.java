package dev.jbuild.layerstore.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An OCI image index or Docker manifest list ({@code image-index.md}); also the shape of an OCI
 * layout's {@code index.json}.
 *
 * @param schemaVersion always 2
 * @param mediaType {@link MediaTypes#OCI_INDEX} or {@link MediaTypes#DOCKER_MANIFEST_LIST}
 * @param manifests the entries, each with a platform when it is a multi-platform index
 * @param annotations OCI annotations
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageIndex(
    @JsonProperty("schemaVersion") int schemaVersion,
    @JsonProperty("mediaType") String mediaType,
    @JsonProperty("manifests") List<Descriptor> manifests,
    @JsonProperty("annotations") Map<String, String> annotations) {

  /** Copies. */
  public ImageIndex {
    manifests = manifests == null ? List.of() : List.copyOf(manifests);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  /** An OCI index of {@code manifests}. */
  public static ImageIndex oci(List<Descriptor> manifests) {
    return new ImageIndex(2, MediaTypes.OCI_INDEX, manifests, Map.of());
  }

  /**
   * The Docker manifest list ({@code manifest-v2-2.md}) with this index's entries: the same media
   * types, digests, sizes and platforms, for registries that refuse the OCI index media type.
   * Annotations, which a Docker manifest list cannot hold, are left out (they are metadata, never
   * content a client selects by).
   *
   * @throws IllegalArgumentException naming the entry when one cannot be listed: an entry that is
   *     not a Docker schema 2 manifest (a Docker list names only those), or that has no platform
   *     (which a Docker list requires)
   */
  public ImageIndex toDockerManifestList() {
    List<Descriptor> entries = new ArrayList<>();
    for (Descriptor d : manifests) {
      if (!MediaTypes.DOCKER_MANIFEST.equals(d.mediaType())) {
        throw new IllegalArgumentException("entry " + d.digest() + " is of media type "
            + d.mediaType() + ", which a Docker manifest list cannot name (only "
            + MediaTypes.DOCKER_MANIFEST + ")");
      }
      if (d.platform() == null) {
        throw new IllegalArgumentException("entry " + d.digest() + " has no platform, which a"
            + " Docker manifest list requires");
      }
      entries.add(new Descriptor(d.mediaType(), d.digest(), d.size(), Map.of(), d.platform()));
    }
    return new ImageIndex(2, MediaTypes.DOCKER_MANIFEST_LIST, entries, Map.of());
  }

  /**
   * Picks the first entry for {@code platform} ("first match wins"); an entry without a platform
   * matches only if it is the sole entry.
   */
  public Optional<Descriptor> select(Platform platform) {
    for (Descriptor d : manifests) {
      Platform p = d.platform();
      if (p != null
          && p.os().equals(platform.os())
          && p.architecture().equals(platform.architecture())
          && (platform.variant() == null || platform.variant().equals(p.variant()))) {
        return Optional.of(d);
      }
    }
    if (manifests.size() == 1 && manifests.get(0).platform() == null) {
      return Optional.of(manifests.get(0));
    }
    return Optional.empty();
  }
}
