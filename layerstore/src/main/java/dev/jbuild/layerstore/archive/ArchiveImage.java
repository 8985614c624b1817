package dev.jbuild.layerstore.archive;

import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import java.util.List;
import java.util.Objects;

/**
 * An image to put in an archive, with the tags it should carry there.
 *
 * @param image the stored image
 * @param tags its references (tags; a digest part is ignored), possibly empty
 */
public record ArchiveImage(Image image, List<ImageReference> tags) {
  /** Validates and copies. */
  public ArchiveImage {
    Objects.requireNonNull(image, "image");
    tags = List.copyOf(tags);
  }
}
