package dev.jbuild.builder.plan;

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
 */
public record StagePlan(int index, String name, boolean useCache, FromBaseStep from,
    List<Step> steps, Set<Integer> dependencies) {
  /** Copies. */
  public StagePlan {
    steps = List.copyOf(steps);
    dependencies = Set.copyOf(dependencies);
  }
}
