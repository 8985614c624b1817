package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;
import java.util.Objects;

/**
 * A manifest as the registry sent it. The bytes are exactly the ones received (digest-stable);
 * parse them, never re-serialize them.
 *
 * @param bytes the raw manifest bytes
 * @param mediaType the media type, from {@code Content-Type} (or the manifest's own
 *     {@code mediaType} field if the header is missing)
 * @param digest the digest of {@code bytes}, already checked against the registry's
 *     {@code Docker-Content-Digest} and the requested digest
 */
public record ManifestResponse(byte[] bytes, String mediaType, Digest digest) {

  /** Validates. */
  public ManifestResponse {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
  }

  /** The manifest's size in bytes. */
  public long size() {
    return bytes.length;
  }
}
