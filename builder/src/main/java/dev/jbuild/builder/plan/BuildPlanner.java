package dev.jbuild.builder.plan;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.parser.ast.Add;
import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.ArgDecl;
import dev.jbuild.parser.ast.Copy;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.EditDistance;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.Run;
import dev.jbuild.parser.ast.Stage;
import dev.jbuild.parser.ast.Workdir;
import dev.jbuild.parser.expand.VariableExpander;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a parsed Dockerfile into a {@link BuildPlan}, as BuildKit's {@code dockerfile2llb} does:
 * it picks the stages the target needs, reads their base images' configs, expands ONBUILD
 * triggers, ARG/ENV scoping and every variable, and produces the steps execution runs. It reads
 * no files and runs nothing; base configs come from {@link BaseConfigs}. One instance per plan.
 */
public final class BuildPlanner {
  private final Dockerfile dockerfile;
  private final PlanningContext ctx;
  private final Map<Integer, StagePlanner.Result> planned = new TreeMap<>();
  /** The build's {@code SOURCE_DATE_EPOCH} in seconds, or null. */
  private final Long sourceDateEpoch;

  private BuildPlanner(Dockerfile dockerfile, String source, PlanOptions options,
      BaseConfigs bases, boolean multiStage, PlanLints lints) throws BuildException {
    this.dockerfile = dockerfile;
    VariableExpander expander = VariableExpander.withEscapeToken(dockerfile.escapeToken());
    PlanningContext partial = new PlanningContext(options, bases, expander, Map.of(),
        source.split("\r?\n", -1), dockerfile.stages(), multiStage, this::end, lints);
    SourceDateEpoch.Resolved epoch = SourceDateEpoch.resolve(partial, globalArgs(partial));
    this.sourceDateEpoch = epoch.epoch();
    this.ctx = new PlanningContext(epoch.options(), bases, expander, epoch.globalArgs(),
        partial.lines(), partial.stages(), multiStage, this::end, lints);
  }

  /**
   * Plans the build of {@code options.target()} (a stage name or index), or of the last stage.
   *
   * @param source the Dockerfile text, for step labels
   * @throws BuildException when the target stage does not exist (Docker's wording), a variable
   *     cannot be expanded, a flag is unknown or bad, a base image cannot be resolved, or {@code
   *     SOURCE_DATE_EPOCH} is invalid ({@link SourceDateEpoch}); located at the Dockerfile line
   */
  public static BuildPlan plan(Dockerfile dockerfile, String source, PlanOptions options,
      BaseConfigs bases) throws BuildException, InterruptedException {
    return plan(dockerfile, source, options, bases, PlanLints.NONE);
  }

  /**
   * Like {@link #plan(Dockerfile, String, PlanOptions, BaseConfigs)}, reporting the build checks
   * only planning can make to {@code lints} as they are found, so a build that then fails has
   * shown them (BuildKit's linter warns before its conversion errors).
   */
  public static BuildPlan plan(Dockerfile dockerfile, String source, PlanOptions options,
      BaseConfigs bases, PlanLints lints) throws BuildException, InterruptedException {
    List<Stage> stages = dockerfile.stages();
    if (stages.isEmpty()) {
      // BuildKit's words (dockerfile2llb/convert.go), which its tests match.
      throw new BuildException(options.dockerfileName()
          + ": dockerfile contains no stages to build (it needs a FROM line)");
    }
    int targetIndex = stages.size() - 1;
    if (options.target() != null) {
      targetIndex = findStage(stages, options.target(), stages.size());
      if (targetIndex < 0) {
        throw new BuildException("target stage \"" + options.target()
            + "\" could not be found" + suggestion(options.target(), stages));
      }
    }
    // Labels carry stage names when the build needs more than one stage; references are counted
    // as written (a --from=$VAR that turns out to name a stage still plans it, unnamed).
    TreeSet<Integer> needed = new TreeSet<>();
    collect(stages, targetIndex, needed, options);
    BuildPlanner planner = new BuildPlanner(dockerfile, source, options, bases,
        needed.size() > 1, lints);
    FromLints.check(dockerfile, planner.ctx.expander(), planner.predefinedArgs(options),
        planner.ctx.globalArgs(), lints);
    planner.end(targetIndex);
    return new BuildPlan(planner.planned.values().stream().map(StagePlanner.Result::plan)
        .toList(), planner.sourceDateEpoch);
  }

  /** Plans stage {@code index} (and what it reads) once; the plan keeps index order. */
  private StageEnd end(int index) throws BuildException, InterruptedException {
    StagePlanner.Result result = planned.get(index);
    if (result == null) {
      result = new StagePlanner(ctx, dockerfile.stages().get(index)).plan();
      planned.put(index, result);
    }
    return result.end();
  }

  /**
   * Values of the ARGs before the first FROM (build args override defaults), on top of
   * BuildKit's predefined platform ARGs ({@code TARGETPLATFORM}, {@code BUILDARCH}, …), which
   * FROM can use directly and a stage can bring in with a bare {@code ARG NAME}.
   */
  private Map<String, String> globalArgs(PlanningContext partial) throws BuildException {
    Map<String, String> values = predefinedArgs(partial.options());
    for (Arg arg : dockerfile.globalArgs()) {
      for (ArgDecl d : arg.args()) {
        String value = partial.options().buildArgs().get(d.name());
        if (value == null && d.hasDefault()) {
          value = partial.expand(d.defaultValue(), values, arg.range().startLine());
        }
        if (value != null) {
          values.put(d.name(), value);
        }
      }
    }
    return values;
  }

  /** BuildKit's predefined ARGs: the target and build platforms' parts and the target stage. */
  private Map<String, String> predefinedArgs(PlanOptions options) {
    Map<String, String> values = new LinkedHashMap<>();
    platformArgs(values, "TARGET", options.platform());
    platformArgs(values, "BUILD", Platform.host());
    values.put("TARGETSTAGE", targetStageName(options.target()));
    return values;
  }

  /**
   * BuildKit's {@code TARGETSTAGE} ({@code dockerfile2llb/platform.go} {@code defaultArgs}): the
   * target as the user named it, else the last stage's name, else {@code default}.
   */
  private String targetStageName(String target) {
    if (target != null && !target.isEmpty()) {
      return target;
    }
    List<Stage> stages = dockerfile.stages();
    String last = stages.get(stages.size() - 1).name();
    return last == null || last.isEmpty() ? "default" : last;
  }

  private static void platformArgs(Map<String, String> values, String prefix, Platform p) {
    values.put(prefix + "PLATFORM", p.toString());
    values.put(prefix + "OS", p.os());
    values.put(prefix + "ARCH", p.architecture());
    values.put(prefix + "VARIANT", p.variant() == null ? "" : p.variant());
  }

  private static void collect(List<Stage> stages, int index, TreeSet<Integer> needed,
      PlanOptions options) {
    if (!needed.add(index)) {
      return;
    }
    for (int dep : dependencies(stages, stages.get(index))) {
      // A stage a --build-context replaces is never built (BuildKit: the context is read).
      if (stages.get(dep).name() == null || options.namedContext(stages.get(dep).name()) == null) {
        collect(stages, dep, needed, options);
      }
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

  /**
   * BuildKit's "did you mean" for a stage name (util/suggest {@code Search}, case-insensitive):
   * the closest name at a Levenshtein distance below 3, none if one matches exactly.
   */
  static String suggestion(String wanted, List<Stage> stages) {
    String value = wanted.toLowerCase(Locale.ROOT);
    String match = null;
    int best = 3;
    for (Stage stage : stages) {
      String name = stage.name();
      if (name == null) {
        continue;
      }
      if (name.equals(value)) {
        return "";
      }
      int d = EditDistance.between(value, name);
      if (d < best) {
        match = name;
        best = d;
      }
    }
    if (match == null) {
      return "";
    }
    // matchCase: the suggestion is written in the case the user wrote the name in.
    return " (did you mean " + (wanted.equals(wanted.toUpperCase(Locale.ROOT))
        && !wanted.equals(value) ? match.toUpperCase(Locale.ROOT) : match) + "?)";
  }

  /** RUN, COPY, ADD and WORKDIR change the filesystem; BuildKit numbers only those (and FROM). */
  static boolean isFilesystemStep(Instruction i) {
    return i instanceof Run || i instanceof Copy || i instanceof Add || i instanceof Workdir;
  }
}
