package dev.jbuild.builder.plan;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.parser.ast.CheckOptions;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.Stage;
import dev.jbuild.parser.ast.Warning;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The build's side of BuildKit's build checks (moby/buildkit frontend/dockerfile/linter and
 * dockerfile2llb/convert.go): which options apply, which of the parser's warnings a build of the
 * plan reports, and the error when {@code error=true}.
 */
public final class BuildChecks {

  /** The build argument whose value replaces the Dockerfile's {@code # check=} directive. */
  public static final String CHECK_ARG = "BUILDKIT_DOCKERFILE_CHECK";

  /**
   * The rules BuildKit runs while it dispatches a stage's instructions (convert.go's dispatch
   * functions), so only for the stages the build reaches; the other rules look at the whole file
   * (testLegacyKeyValueFormat's unreachable stage has no warning).
   */
  private static final Set<String> DISPATCH_RULES = Set.of("LegacyKeyValueFormat",
      "JSONArgsRecommended", "ExposeProtoCasing", "ExposeInvalidFormat", "WorkdirRelativePath",
      "MultipleInstructionsDisallowed", "SecretsUsedInArgOrEnv", "UndefinedVar",
      "CopyIgnoredFile", "InvalidBaseImagePlatform");

  private BuildChecks() {}

  /**
   * Returns the options of the {@value #CHECK_ARG} build argument, which replace the file's
   * directive (BuildKit's dockerui config; an empty value is the empty configuration), or null
   * when the argument is not given.
   *
   * @throws BuildException when the value is not a valid check specification
   */
  public static CheckOptions fromBuildArgs(Map<String, String> buildArgs) throws BuildException {
    String spec = buildArgs.get(CHECK_ARG);
    if (spec == null) {
      return null;
    }
    try {
      return CheckOptions.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new BuildException("failed to parse " + CHECK_ARG + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns the warnings a build of {@code plan} reports, in line order: every whole-file
   * warning; a dispatch rule's only when its stage is in the plan, and JSONArgsRecommended only
   * when no SHELL is set at that instruction (its own stage's, or one inherited from the stage or
   * image it is built FROM), as convert.go's {@code dispatchCmd} decides.
   *
   * @param plan the planned build, or null when planning failed: then only whole-file warnings
   */
  public static List<Warning> reported(Dockerfile dockerfile, BuildPlan plan) {
    List<Warning> reported = new ArrayList<>();
    for (Warning w : dockerfile.warnings()) {
      if (!DISPATCH_RULES.contains(w.rule())) {
        reported.add(w);
        continue;
      }
      int stage = stageAt(dockerfile.stages(), w.line());
      if (plan == null && stage >= 0) {
        continue;
      }
      StagePlan planned = stage < 0 ? null : plan.stages().stream()
          .filter(s -> s.index() == stage).findFirst().orElse(null);
      if (stage >= 0 && planned == null) {
        continue;
      }
      if (w.rule().equals("JSONArgsRecommended") && planned != null
          && hasShell(planned, w.line())) {
        continue;
      }
      reported.add(w);
    }
    return reported;
  }

  /**
   * Throws BuildKit's {@code error=true} failure when warnings were reported.
   *
   * @param checks the options in force: the build argument's, else the file's directive
   * @param reported what {@link #reported} returned
   * @param dockerfileName prefixes the message with the first warning's line
   * @throws BuildException {@code Dockerfile:2: lint violation found for rules: FromAsCasing}
   */
  public static void failOnViolation(CheckOptions checks, List<Warning> reported,
      String dockerfileName) throws BuildException {
    String violation = checks.violation(reported);
    if (violation != null) {
      throw new BuildException(dockerfileName + ":" + reported.get(0).line() + ": " + violation);
    }
  }

  /** The index of the stage holding {@code line}, or -1 before the first FROM. */
  private static int stageAt(List<Stage> stages, int line) {
    int index = -1;
    for (Stage s : stages) {
      if (s.from().range().startLine() <= line) {
        index = s.index();
      }
    }
    return index;
  }

  /** Whether the stage's config at the instruction on {@code line} has a SHELL. */
  private static boolean hasShell(StagePlan stage, int line) {
    for (Step step : stage.steps()) {
      if (step.header().line() == line) {
        List<String> shell = step.header().config().shell();
        return shell != null && !shell.isEmpty();
      }
    }
    return false;
  }
}
