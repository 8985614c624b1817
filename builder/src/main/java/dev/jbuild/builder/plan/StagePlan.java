package dev.jbuild.builder.plan;

import dev.jbuild.parser.ast.Stage;
import java.util.List;

/**
 * A stage to build.
 *
 * @param stage the parsed stage
 * @param baseStage the index of the stage its FROM names, or -1 when FROM names an image
 * @param fromLabel the label of its FROM step, for example {@code [1/4] FROM busybox}
 * @param steps the following instructions
 * @param dependencies indexes of the earlier stages it reads (FROM, COPY --from, RUN --mount)
 */
public record StagePlan(Stage stage, int baseStage, String fromLabel, List<PlannedStep> steps,
    java.util.Set<Integer> dependencies) {
  /** Copies. */
  public StagePlan {
    steps = List.copyOf(steps);
    dependencies = java.util.Set.copyOf(dependencies);
  }
}
