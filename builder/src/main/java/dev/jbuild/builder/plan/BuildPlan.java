package dev.jbuild.builder.plan;

import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.Stage;
import java.util.List;

/**
 * The stages a build runs, in dependency order, ending with the target stage.
 *
 * @param globalArgs the ARG instructions before the first FROM
 * @param stages the stages to build; the last one is the target
 * @param escapeToken the Dockerfile's escape token, for variable expansion
 * @param allStages every stage of the Dockerfile, to resolve stage references by name or index
 */
public record BuildPlan(List<Arg> globalArgs, List<StagePlan> stages, char escapeToken,
    List<Stage> allStages) {
  /** Copies. */
  public BuildPlan {
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
    allStages = List.copyOf(allStages);
  }

  /**
   * The index of the stage that {@code nameOrIndex} names among those before stage {@code
   * before}, or -1 when it names an image.
   */
  public int stageIndex(String nameOrIndex, int before) {
    return BuildPlanner.findStage(allStages, nameOrIndex, before);
  }

  /** The stage whose result is the image. */
  public StagePlan target() {
    return stages.get(stages.size() - 1);
  }
}
