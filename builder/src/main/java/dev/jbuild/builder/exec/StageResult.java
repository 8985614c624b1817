package dev.jbuild.builder.exec;

import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.oci.ImageConfig;
import java.util.List;

/**
 * A built stage: its image config and layers (base first).
 *
 * @param config the config, with history and diff IDs matching {@code layers}
 * @param layers the stage's layers
 */
public record StageResult(ImageConfig config, List<Layer> layers) {
  /** Copies. */
  public StageResult {
    layers = List.copyOf(layers);
  }
}
