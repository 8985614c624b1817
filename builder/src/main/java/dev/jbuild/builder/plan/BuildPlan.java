package dev.jbuild.builder.plan;

import java.util.List;

/**
 * The stages a build runs, in dependency order (a stage comes after every stage it reads), ending
 * with the target stage. Immutable.
 *
 * @param stages the stages to build; the last one is the target
 * @param sourceDateEpoch the build's {@code SOURCE_DATE_EPOCH} in seconds as the build argument or
 *     the Dockerfile's global ARG gives it, resolved; null for none
 */
public record BuildPlan(List<StagePlan> stages, Long sourceDateEpoch) {
  /** Copies; requires at least one stage. */
  public BuildPlan {
    stages = List.copyOf(stages);
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a plan needs a stage");
    }
  }

  /** A plan without {@code SOURCE_DATE_EPOCH}. */
  public BuildPlan(List<StagePlan> stages) {
    this(stages, null);
  }

  /** The stage whose result is the image. */
  public StagePlan target() {
    return stages.get(stages.size() - 1);
  }
}
