package dev.jbuild.layerstore.image;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;

/**
 * One entry of the tag database.
 *
 * @param reference the tag, fully qualified
 * @param manifest the manifest (or index) it points to
 */
public record TaggedImage(ImageReference reference, Descriptor manifest) {}
