package dev.jbuild.builder.plan;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.plan.PlanState.StepLabel;
import java.util.Set;

/**
 * What planning one instruction works with: the build's context, the stage's state (updated in
 * place), the step's label, and the stage's index and dependency set (which {@code --from} and
 * {@code from=} add to).
 */
record StepScope(PlanningContext ctx, PlanState state, StepLabel label, int stageIndex,
    Set<Integer> dependencies) {

  /** {@code word} expanded against the stage's variables, located at the step's line. */
  String expand(String word) throws BuildException {
    return ctx.expand(word, state.expansionVars(), label.line());
  }

  /** An error located at the step's line. */
  BuildException located(String message, Throwable cause) {
    return ctx.located(label.line(), message, cause);
  }

  /** What {@code reference} names (a stage becomes a dependency of this stage). */
  FileOrigin origin(String reference, String keyword)
      throws BuildException, InterruptedException {
    FileOrigin origin = ctx.origin(reference, stageIndex, keyword, label.line());
    if (origin instanceof FileOrigin.Stage s) {
      dependencies.add(s.index());
    }
    return origin;
  }

  /** The header of a step that leaves the stage in its current state. */
  StepHeader header(String createdBy) {
    return state.header(label, createdBy);
  }
}
