package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Descriptor;
import java.util.Objects;

/**
 * What {@link ImagePusher#pushImage} pushed.
 *
 * @param manifest the top-level manifest as the registry now holds it: the given one, or the
 *     Docker manifest list made from a given OCI index ({@link IndexFormat}); its digest is {@code
 *     result.digest()}
 * @param result the digest, size and blob counts
 */
public record PushedImage(Descriptor manifest, PushResult result) {
  /** Checks. */
  public PushedImage {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(result, "result");
  }
}
