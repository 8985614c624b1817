package dev.jbuild.builder;

import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import java.util.List;

/**
 * What a build produced.
 *
 * @param image the stored image (its {@code id()} is Docker's image ID)
 * @param tags the references it was tagged with
 */
public record BuildResult(Image image, List<ImageReference> tags) {
  /** Copies. */
  public BuildResult {
    tags = List.copyOf(tags);
  }
}
