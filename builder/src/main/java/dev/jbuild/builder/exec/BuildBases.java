package dev.jbuild.builder.exec;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import java.util.HashMap;
import java.util.Map;

/**
 * The base images of one build, each resolved (and pulled) once: planning reads their configs,
 * execution their layers, and both see the same image even if the tag moves meanwhile.
 * Thread-safe.
 */
public final class BuildBases implements BaseImageSource {
  private final BaseImageSource source;
  private final Map<String, Image> resolved = new HashMap<>();

  /** Wraps {@code source}. */
  public BuildBases(BaseImageSource source) {
    this.source = source;
  }

  @Override
  public Image resolve(ImageReference ref, Platform platform) throws BuildException {
    return resolve(ref, platform, false);
  }

  @Override
  public synchronized Image resolve(ImageReference ref, Platform platform, boolean alwaysPull)
      throws BuildException {
    String key = ref + " " + platform + " " + alwaysPull;
    Image image = resolved.get(key);
    if (image == null) {
      image = source.resolve(ref, platform, alwaysPull);
      resolved.put(key, image);
    }
    return image;
  }
}
