package dev.jbuild.builder.exec;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;

/** Finds the image a FROM line names: in the local store, or by pulling it. */
public interface BaseImageSource {
  /**
   * Returns the stored image for {@code ref}, pulling it first if needed.
   *
   * @throws BuildException when the image is neither stored nor pullable, saying both
   */
  Image resolve(ImageReference ref, Platform platform) throws BuildException;

  /**
   * Like {@link #resolve(ImageReference, Platform)}; with {@code alwaysPull} ({@code --pull})
   * the registry is asked even when the store has the image.
   */
  default Image resolve(ImageReference ref, Platform platform, boolean alwaysPull)
      throws BuildException {
    return resolve(ref, platform);
  }
}
