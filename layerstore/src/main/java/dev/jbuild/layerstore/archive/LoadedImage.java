package dev.jbuild.layerstore.archive;

import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import java.util.List;
import java.util.Objects;

/**
 * An image read from an archive and stored.
 *
 * @param image the stored image
 * @param tags the tags the archive gave it (already applied), possibly none
 */
public record LoadedImage(Image image, List<ImageReference> tags) {
  /** Validates and copies. */
  public LoadedImage {
    Objects.requireNonNull(image, "image");
    tags = List.copyOf(tags);
  }
}
