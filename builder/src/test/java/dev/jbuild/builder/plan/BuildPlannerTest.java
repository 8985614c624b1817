package dev.jbuild.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.parser.DockerfileParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link BuildPlanner}. */
class BuildPlannerTest {
  private static BuildPlan plan(String text, String target) throws Exception {
    return BuildPlanner.plan(DockerfileParser.parse(text, "Dockerfile"), text, target);
  }

  @Test
  void plan_numbersFilesystemStepsLikeBuildKit() throws Exception {
    BuildPlan plan = plan("FROM busybox\nWORKDIR /app\nENV A=1\nCOPY . /app\n"
        + "RUN make \\\n  all\nCMD [\"x\"]\n", null);
    StagePlan stage = plan.target();
    assertEquals("[1/4] FROM busybox", stage.fromLabel());
    List<String> labels = stage.steps().stream().map(PlannedStep::label).toList();
    assertEquals(List.of("[2/4] WORKDIR /app", "ENV A=1", "[3/4] COPY . /app",
        "[4/4] RUN make all", "CMD [\"x\"]"), labels);
    assertFalse(stage.steps().get(1).numbered());
  }

  @Test
  void plan_buildsOnlyTheStagesTheTargetNeeds() throws Exception {
    String text = "FROM busybox AS base\nRUN a\nFROM alpine AS other\nRUN b\n"
        + "FROM base AS final\nRUN c\n";
    BuildPlan plan = plan(text, null);
    assertEquals(List.of(0, 2), plan.stages().stream().map(s -> s.stage().index()).toList());
    assertEquals(0, plan.target().baseStage());
    assertTrue(plan.target().fromLabel().startsWith("[final 1/2]"), plan.target().fromLabel());

    BuildPlan other = plan(text, "other");
    assertEquals(1, other.stages().size());
    assertEquals(-1, other.target().baseStage());
    assertEquals(1, plan(text, "1").target().stage().index());
  }

  @Test
  void plan_unknownTarget_isAnError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> plan("FROM busybox\n", "nope"));
    assertEquals("target stage \"nope\" could not be found", e.getMessage());
  }

  @Test
  void plan_keepsGlobalArgsAndEscapeToken() throws Exception {
    BuildPlan plan = plan("# escape=`\nARG BASE=busybox\nFROM $BASE\nRUN a `\n b\n", null);
    assertEquals(1, plan.globalArgs().size());
    assertEquals('`', plan.escapeToken());
    assertEquals("[2/2] RUN a b", plan.target().steps().get(0).label());
  }
}
