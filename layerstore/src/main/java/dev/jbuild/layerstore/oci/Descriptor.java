package dev.jbuild.layerstore.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Objects;

/**
 * An OCI content descriptor: what a piece of content is, its digest and its size
 * ({@code descriptor.md}).
 *
 * @param mediaType the content's media type, see {@link MediaTypes}
 * @param digest the digest of the exact bytes
 * @param size the byte length, never negative
 * @param annotations optional annotations (empty, never null)
 * @param platform the platform, only on index entries; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Descriptor(
    @JsonProperty("mediaType") String mediaType,
    @JsonProperty("digest") Digest digest,
    @JsonProperty("size") long size,
    @JsonProperty("annotations") Map<String, String> annotations,
    @JsonProperty("platform") Platform platform) {

  /** Validates and copies. */
  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("negative descriptor size " + size);
    }
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  /** A descriptor without annotations or platform. */
  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, Map.of(), null);
  }

  /** Returns a copy with these annotations. */
  public Descriptor withAnnotations(Map<String, String> newAnnotations) {
    return new Descriptor(mediaType, digest, size, newAnnotations, platform);
  }
}
