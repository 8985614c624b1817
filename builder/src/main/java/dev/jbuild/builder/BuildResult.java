package dev.jbuild.builder;

import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import java.util.List;

/**
 * What a build produced.
 *
 * @param image the image (its {@code id()} is Docker's image ID)
 * @param tags the references it was tagged with, or is to be pushed to when not stored
 * @param stored false when the image was built with lazy layers ({@link
 *     BuildRequest#lazyLayers()}) that stayed in a registry: its config and manifest are in the
 *     content store but it is neither registered nor tagged, and it can only be pushed (to the
 *     registry holding those layers, which mounts them)
 */
public record BuildResult(Image image, List<ImageReference> tags, boolean stored) {
  /** Copies. */
  public BuildResult {
    tags = List.copyOf(tags);
  }

  /** A stored, tagged image. */
  public BuildResult(Image image, List<ImageReference> tags) {
    this(image, tags, true);
  }
}
