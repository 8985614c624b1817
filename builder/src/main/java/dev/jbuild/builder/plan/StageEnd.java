package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.Platform;
import java.util.Map;

/**
 * How a planned stage ends, which a stage built {@code FROM} it starts with.
 *
 * @param config its final container config
 * @param author its final author, or null
 * @param args ARG values in scope at its end (inherited by a child stage; their declarations are
 *     not, as in BuildKit)
 * @param platform the stage's platform (a stage built FROM it runs on it too)
 */
record StageEnd(ContainerConfig config, String author, Map<String, String> args,
    Platform platform) {
  StageEnd {
    args = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(args));
  }
}
