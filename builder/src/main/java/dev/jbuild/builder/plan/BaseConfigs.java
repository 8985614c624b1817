package dev.jbuild.builder.plan;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;

/**
 * The configs of base images, which the planner reads before planning a stage (ENV, USER,
 * WORKDIR, SHELL and ONBUILD decide the steps), as BuildKit's {@code dockerfile2llb} resolves
 * image configs first.
 */
@FunctionalInterface
public interface BaseConfigs {
  /**
   * The config of {@code reference} for the build's platform, pulling the image if needed.
   *
   * @throws BuildException when the image is neither stored nor pullable
   */
  ImageConfig config(ImageReference reference) throws BuildException, InterruptedException;

  /**
   * The config of {@code reference} for {@code platform} (a stage's {@code FROM --platform});
   * sources that know only the build's platform ignore it.
   *
   * @throws BuildException when the image is neither stored nor pullable
   */
  default ImageConfig config(ImageReference reference, Platform platform)
      throws BuildException, InterruptedException {
    return config(reference);
  }
}
