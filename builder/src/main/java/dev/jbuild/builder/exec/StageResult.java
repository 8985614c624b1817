package dev.jbuild.builder.exec;

import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.oci.ImageConfig;
import java.util.List;
import java.util.Map;

/**
 * A built stage: its image config and layers (base first), and the build arguments in scope at
 * its end, which a stage built {@code FROM} it inherits as BuildKit does.
 *
 * @param config the config, with history and diff IDs matching {@code layers}
 * @param layers the stage's layers
 * @param args ARG values in scope, in declaration order
 * @param declaredArgs the ARG declarations in scope, in order (for RUN history entries)
 */
public record StageResult(ImageConfig config, List<Layer> layers, Map<String, String> args,
    List<String> declaredArgs) {
  /** Copies. */
  public StageResult {
    layers = List.copyOf(layers);
    args = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(args));
    declaredArgs = List.copyOf(declaredArgs);
  }
}
