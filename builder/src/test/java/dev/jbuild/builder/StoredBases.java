package dev.jbuild.builder;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.exec.BaseImageSource;
import dev.jbuild.layerstore.LayerStore;
import java.io.IOException;

/** Base images from the store only, for builder tests that never pull. */
final class StoredBases {
  private StoredBases() {}

  static BaseImageSource of(LayerStore store) {
    return (ref, platform) -> {
      try {
        return store.images().load(store.images().resolve(ref)
            .orElseThrow(() -> new BuildException("no image " + ref)).digest());
      } catch (IOException e) {
        throw new BuildException(e.getMessage(), e);
      }
    };
  }
}
