package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.Platform;
import java.util.List;
import java.util.Set;

/**
 * A stage to build: its FROM, then its steps (ONBUILD triggers of the base first).
 *
 * @param index the stage's index in the Dockerfile
 * @param name its name ({@code AS name}, lower case), or null
 * @param useCache whether its filesystem steps may come from the build cache
 * @param from the FROM step
 * @param steps the following steps
 * @param dependencies indexes of the earlier stages it reads (FROM, COPY --from, RUN --mount)
 * @param platform the platform the stage runs on and its base is picked for: {@code FROM
 *     --platform}, else the platform of the stage it is built FROM, else the build's target; null
 *     means the build's target platform
 */
public record StagePlan(int index, String name, boolean useCache, FromBaseStep from,
    List<Step> steps, Set<Integer> dependencies, Platform platform) {
  /** Copies. */
  public StagePlan {
    steps = List.copyOf(steps);
    dependencies = Set.copyOf(dependencies);
  }

  /** A stage on the build's target platform. */
  public StagePlan(int index, String name, boolean useCache, FromBaseStep from,
      List<Step> steps, Set<Integer> dependencies) {
    this(index, name, useCache, from, steps, dependencies, null);
  }

  /** {@link #platform()}, or {@code target} when the stage runs on the build's platform. */
  public Platform platformOr(Platform target) {
    return platform == null ? target : platform;
  }
}
