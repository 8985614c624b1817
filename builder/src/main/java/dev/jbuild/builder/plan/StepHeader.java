package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.ContainerConfig;
import java.util.Objects;

/**
 * What every planned step carries besides its own work.
 *
 * @param label what progress shows: {@code [2/4] RUN make} for BuildKit's numbered (filesystem)
 *     steps and ONBUILD triggers, the instruction text for the others
 * @param numbered whether progress reports the step as started and finished
 * @param line the Dockerfile line that located errors name (for an ONBUILD trigger, its FROM's)
 * @param createdBy the history entry's {@code created_by}, or null when the step adds none
 *     (ONBUILD adds none, as in BuildKit)
 * @param config the container config once the step is done
 * @param author the image's author once the step is done ({@code MAINTAINER}), or null
 */
public record StepHeader(String label, boolean numbered, int line, String createdBy,
    ContainerConfig config, String author) {
  /** Requires a label and a config. */
  public StepHeader {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(config, "config");
  }
}
