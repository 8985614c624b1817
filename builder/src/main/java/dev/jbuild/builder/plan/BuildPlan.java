package dev.jbuild.builder.plan;

import java.util.List;

/**
 * The stages a build runs, in dependency order (a stage comes after every stage it reads), ending
 * with the target stage. Immutable.
 *
 * @param stages the stages to build; the last one is the target
 */
public record BuildPlan(List<StagePlan> stages) {
  /** Copies; requires at least one stage. */
  public BuildPlan {
    stages = List.copyOf(stages);
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a plan needs a stage");
    }
  }

  /** The stage whose result is the image. */
  public StagePlan target() {
    return stages.get(stages.size() - 1);
  }
}
