package dev.jbuild.builder.plan;

import dev.jbuild.parser.ast.Add;
import dev.jbuild.parser.ast.Copy;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.Run;
import dev.jbuild.parser.ast.SourceRange;
import dev.jbuild.parser.ast.Stage;
import dev.jbuild.parser.ast.Workdir;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** Turns a parsed Dockerfile into a {@link BuildPlan}. Stateless and thread-safe. */
public final class BuildPlanner {
  private BuildPlanner() {}

  /**
   * Plans the build of {@code target} (a stage name or index), or of the last stage when null.
   *
   * @param source the Dockerfile text, for step labels
   * @throws IllegalArgumentException when the target stage does not exist, with Docker's wording
   */
  public static BuildPlan plan(Dockerfile dockerfile, String source, String target) {
    List<Stage> stages = dockerfile.stages();
    int targetIndex = stages.size() - 1;
    if (target != null) {
      targetIndex = findStage(stages, target, stages.size());
      if (targetIndex < 0) {
        throw new IllegalArgumentException("target stage \"" + target + "\" could not be found");
      }
    }
    TreeSet<Integer> needed = new TreeSet<>();
    collect(stages, targetIndex, needed);
    String[] lines = source.split("\r?\n", -1);
    List<StagePlan> plans = new ArrayList<>();
    for (int index : needed) {
      plans.add(planStage(stages, stages.get(index), lines, dockerfile.escapeToken(),
          needed.size() > 1));
    }
    return new BuildPlan(dockerfile.globalArgs(), plans, dockerfile.escapeToken(), stages);
  }

  private static void collect(List<Stage> stages, int index, TreeSet<Integer> needed) {
    if (!needed.add(index)) {
      return;
    }
    for (int dep : dependencies(stages, stages.get(index))) {
      collect(stages, dep, needed);
    }
  }

  /**
   * The earlier stages {@code stage} reads: its FROM, {@code COPY/ADD --from} and {@code RUN
   * --mount from=} that name a stage (by name or index). Other values name images.
   */
  static TreeSet<Integer> dependencies(List<Stage> stages, Stage stage) {
    TreeSet<Integer> deps = new TreeSet<>();
    int base = findStage(stages, stage.from().image(), stage.index());
    if (base >= 0) {
      deps.add(base);
    }
    for (Instruction i : stage.instructions()) {
      for (String ref : stageReferences(i)) {
        int dep = findStage(stages, ref, stage.index());
        if (dep >= 0) {
          deps.add(dep);
        }
      }
    }
    return deps;
  }

  /** Values of {@code --from} and of {@code from=} inside {@code --mount} options. */
  static List<String> stageReferences(Instruction i) {
    List<String> refs = new ArrayList<>();
    for (var flag : i.flags()) {
      if (flag.value() == null) {
        continue;
      }
      if (flag.name().equals("from") && (i instanceof Copy || i instanceof Add)) {
        refs.add(flag.value());
      } else if (flag.name().equals("mount") && i instanceof Run) {
        for (String opt : flag.value().split(",")) {
          if (opt.startsWith("from=")) {
            refs.add(opt.substring(5));
          }
        }
      }
    }
    return refs;
  }

  /** Finds a stage by name (case-insensitive) or index among the first {@code limit} stages. */
  public static int findStage(List<Stage> stages, String nameOrIndex, int limit) {
    String wanted = nameOrIndex.toLowerCase(Locale.ROOT);
    limit = Math.min(limit, stages.size());
    for (int i = 0; i < limit; i++) {
      if (wanted.equals(stages.get(i).name())) {
        return i;
      }
    }
    if (wanted.matches("\\d{1,9}")) {
      int i = Integer.parseInt(wanted);
      return i < limit ? i : -1;
    }
    return -1;
  }

  private static StagePlan planStage(List<Stage> stages, Stage stage, String[] lines,
      char escape, boolean multiStage) {
    int total = 1;
    for (Instruction i : stage.instructions()) {
      if (isFilesystemStep(i)) {
        total++;
      }
    }
    String prefix = multiStage && stage.name() != null ? stage.name() + " " : "";
    String fromLabel = "[" + prefix + "1/" + total + "] " + text(stage.from().range(), lines, escape);
    List<PlannedStep> steps = new ArrayList<>();
    int n = 1;
    for (Instruction i : stage.instructions()) {
      String text = text(i.range(), lines, escape);
      if (isFilesystemStep(i)) {
        n++;
        steps.add(new PlannedStep(i, "[" + prefix + n + "/" + total + "] " + text, true));
      } else {
        steps.add(new PlannedStep(i, text, false));
      }
    }
    int base = findStage(stages, stage.from().image(), stage.index());
    return new StagePlan(stage, base, fromLabel, steps, dependencies(stages, stage));
  }

  /** RUN, COPY, ADD and WORKDIR change the filesystem; BuildKit numbers only those (and FROM). */
  static boolean isFilesystemStep(Instruction i) {
    return i instanceof Run || i instanceof Copy || i instanceof Add || i instanceof Workdir;
  }

  /** The instruction's source text on one line: continuations joined, whitespace collapsed. */
  static String text(SourceRange range, String[] lines, char escape) {
    StringBuilder sb = new StringBuilder();
    int last = Math.min(range.endLine(), lines.length);
    for (int l = range.startLine(); l <= last; l++) {
      String line = lines[l - 1].strip();
      if (l > range.startLine() && lines[range.startLine() - 1].contains("<<")) {
        // Here-document bodies are not part of the label, as in BuildKit.
        break;
      }
      if (line.startsWith("#")) {
        continue;
      }
      if (l < last && line.endsWith(String.valueOf(escape))) {
        line = line.substring(0, line.length() - 1);
      }
      sb.append(line).append(' ');
    }
    String text = sb.toString().replaceAll("\\s+", " ").strip();
    return text.length() > 200 ? text.substring(0, 197) + "..." : text;
  }
}
