package dev.jbuild.builder.plan;

import dev.jbuild.parser.ast.Arg;
import java.util.List;

/**
 * The stages a build runs, in dependency order, ending with the target stage.
 *
 * @param globalArgs the ARG instructions before the first FROM
 * @param stages the stages to build; the last one is the target
 * @param escapeToken the Dockerfile's escape token, for variable expansion
 */
public record BuildPlan(List<Arg> globalArgs, List<StagePlan> stages, char escapeToken) {
  /** Copies. */
  public BuildPlan {
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
  }

  /** The stage whose result is the image. */
  public StagePlan target() {
    return stages.get(stages.size() - 1);
  }
}
