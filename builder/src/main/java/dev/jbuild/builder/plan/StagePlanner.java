package dev.jbuild.builder.plan;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.plan.PlanState.StepLabel;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.parser.DockerfileParser;
import dev.jbuild.parser.ast.Cmd;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.Entrypoint;
import dev.jbuild.parser.ast.Expose;
import dev.jbuild.parser.ast.Flag;
import dev.jbuild.parser.ast.From;
import dev.jbuild.parser.ast.Healthcheck;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.Stage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Plans one stage: resolves its FROM (an image's config, an earlier stage's end, or scratch),
 * turns the base's ONBUILD triggers into steps, then each instruction, keeping the stage's config,
 * ARGs and labels as it goes. One instance per stage.
 */
final class StagePlanner {
  /** BuildKit's default PATH for images that set none ({@code dockerfile2llb/convert.go}). */
  static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final PlanningContext ctx;
  private final Stage stage;
  private final TreeSet<Integer> dependencies = new TreeSet<>();
  /** The stage's platform, set by {@link #from}. */
  private Platform platform;

  StagePlanner(PlanningContext ctx, Stage stage) {
    this.ctx = ctx;
    this.stage = stage;
  }

  /** The stage's plan and how it ends. */
  record Result(StagePlan plan, StageEnd end) {}

  Result plan() throws BuildException, InterruptedException {
    PlanOptions options = ctx.options();
    boolean useCache = !options.noCache()
        && (stage.name() == null || !options.noCacheStages().contains(stage.name()));
    // BuildKit numbers FROM unless it is scratch (which has no vertex) and names an unnamed
    // stage "stage-N" when the build has several (testStepNames).
    boolean scratch = BuildPlanner.findStage(ctx.stages(), stage.from().image(), stage.index()) < 0
        && ctx.expand(stage.from().image(), ctx.globalArgs(), stage.from().range().startLine())
        .equals("scratch");
    int total = scratch ? 0 : 1;
    for (Instruction i : stage.instructions()) {
      if (BuildPlanner.isFilesystemStep(i)) {
        total++;
      }
    }
    String prefix = !ctx.multiStage() ? ""
        : (stage.name() != null ? stage.name() : "stage-" + stage.index()) + " ";
    String position = scratch ? "" : "[" + prefix + "1/" + total + "] ";
    List<Step> steps = new ArrayList<>();
    PlanState state = new PlanState(ContainerConfig.EMPTY, null, Map.of());
    FromBaseStep from = from(position, state, steps);
    int n = scratch ? 0 : 1;
    for (Instruction i : stage.instructions()) {
      String text = PlanText.text(i.range(), ctx.lines(), ctx.expander().escapeToken());
      StepLabel label = BuildPlanner.isFilesystemStep(i)
          ? new StepLabel("[" + prefix + ++n + "/" + total + "] " + text, true,
              i.range().startLine())
          : new StepLabel(text, false, i.range().startLine());
      steps.add(step(state, i, label));
    }
    StagePlan plan = new StagePlan(stage.index(), stage.name(), useCache, from, steps,
        dependencies, platform);
    return new Result(plan, new StageEnd(state.config, state.author, state.args, platform));
  }

  /**
   * Plans FROM: sets {@code state} to the base's config, author and inherited ARGs, adds the
   * base's ONBUILD triggers to {@code steps}, and returns the FROM step.
   */
  private FromBaseStep from(String position, PlanState state, List<Step> steps)
      throws BuildException, InterruptedException {
    From from = stage.from();
    int line = from.range().startLine();
    NamedContext named = ctx.options().namedContext(from.image());
    int baseStage = named != null ? -1
        : BuildPlanner.findStage(ctx.stages(), from.image(), stage.index());
    if (baseStage < 0 && named == null) {
      // BuildKit expands FROM with the global ARGs before it looks for a stage of that name
      // (FROM build-${TARGETOS}; testPlatformArgsImplicit).
      baseStage = BuildPlanner.findStage(ctx.stages(),
          ctx.expand(from.image(), ctx.globalArgs(), line), stage.index());
    }
    String label;
    FromBaseStep.Base base;
    Platform explicit = explicitPlatform(from, line);
    platform = explicit != null ? explicit : ctx.options().platform();
    if (baseStage >= 0) {
      dependencies.add(baseStage);
      StageEnd parent = ctx.ends().end(baseStage);
      ctx.lints().inheritWorkdir(stage.index(), baseStage);
      // BuildKit: a stage built FROM another runs on that stage's platform unless it names one.
      platform = explicit != null ? explicit : parent.platform();
      // A stage built FROM another stage inherits its build arguments' values, not their
      // declarations (BuildKit: the LLB state's env carries over, buildArgs start empty).
      state.reset(parent.config(), parent.author(), parent.args());
      label = position + PlanText.text(from.range(), ctx.lines(),
          ctx.expander().escapeToken());
      base = new FromBaseStep.Stage(baseStage);
    } else {
      String name = ctx.expand(from.image(), ctx.globalArgs(), line);
      label = position + "FROM " + name;
      named = ctx.options().namedContext(name);
      if (named instanceof NamedContext.Directory) {
        throw ctx.located(line, "FROM " + name + ": the build context \"" + name + "\" is a"
            + " directory, which only COPY --from and RUN --mount from= can read so far; give"
            + " it as docker-image://REF to build FROM it", null);
      } else if (named instanceof NamedContext.Image i) {
        ImageConfig config = platform.equals(ctx.options().platform())
            ? ctx.bases().config(i.reference()) : ctx.bases().config(i.reference(), platform);
        state.reset(config.containerConfig(), config.author(), Map.of());
        base = new FromBaseStep.Image(i.reference());
      } else if (name.equals("scratch") || named instanceof NamedContext.Scratch) {
        // BuildKit's empty image has WorkingDir "/" (dockerfile2llb/image.go emptyImage).
        state.reset(ImageConfig.scratch(platform).containerConfig().toBuilder()
            .workingDir("/").build(), null, Map.of());
        base = new FromBaseStep.Scratch();
      } else {
        ImageReference ref = ctx.image(name, "FROM", line);
        ImageConfig config = platform.equals(ctx.options().platform())
            ? ctx.bases().config(ref) : ctx.bases().config(ref, platform);
        state.reset(config.containerConfig(), config.author(), Map.of());
        base = new FromBaseStep.Image(ref);
      }
    }
    if (!state.config.envMap().containsKey("PATH")) {
      state.config = withPathFirst(state.config);
    }
    List<String> triggers = state.config.onBuild();
    // The child runs its base's triggers right after FROM and does not inherit them.
    if (triggers != null && !triggers.isEmpty()) {
      state.config = state.config.toBuilder().onBuild(null).build();
    }
    FromBaseStep step = new FromBaseStep(state.header(new StepLabel(label,
        !(base instanceof FromBaseStep.Scratch), line), null), base);
    if (triggers != null) {
      for (String trigger : triggers) {
        steps.add(step(state, parseTrigger(trigger, line),
            new StepLabel("ONBUILD " + trigger, true, line)));
      }
    }
    return step;
  }

  /**
   * {@code FROM --platform=P}, expanded with the global ARGs (so {@code $BUILDPLATFORM} works) and
   * normalized as BuildKit does; null without the flag.
   */
  private Platform explicitPlatform(From from, int line) throws BuildException {
    Flag flag = from.flags().stream().filter(f -> f.name().equals("platform")).reduce(
        (a, b) -> b).orElse(null);
    if (flag == null || flag.value() == null) {
      return null;
    }
    RecordingVars vars = new RecordingVars(ctx.globalArgs());
    String text = ctx.expand(flag.value(), vars, line);
    if (text.isEmpty() && !flag.value().isEmpty()) {
      // BuildKit's words and "did you mean" for a misspelt ARG (convert.go wrapSuggestAny).
      throw ctx.located(line, "empty platform value from expression " + flag.value()
          + suggestAny(vars), null);
    }
    if (text.isBlank()) {
      return null;
    }
    try {
      return Platform.parse(text.strip()).normalized();
    } catch (IllegalArgumentException e) {
      throw ctx.located(line, "FROM --platform=" + flag.value() + ": " + e.getMessage()
          + suggestAny(vars), e);
    }
  }

  /** {@code " (did you mean NAME?)"} for the first name not found that has a close global ARG. */
  private String suggestAny(RecordingVars vars) {
    for (String name : vars.unmatched) {
      String match = PlanLints.suggest(name, ctx.globalArgs().keySet());
      if (match != null) {
        return " (did you mean " + match + "?)";
      }
    }
    return "";
  }

  /**
   * Plans one instruction. Anything but a located {@link BuildException} becomes one, naming the
   * step as execution errors do.
   */
  private Step step(PlanState state, Instruction i, StepLabel label)
      throws BuildException, InterruptedException {
    if (i instanceof Cmd || i instanceof Entrypoint || i instanceof Healthcheck) {
      ctx.lints().usedOnce(stage.index(), keywordAsWritten(i), label.line());
    }
    // UndefinedVar: BuildKit checks the words it expands, not EXPOSE's (dispatchExpose).
    boolean undefinedVars = !(i instanceof Expose);
    List<String> declared = List.copyOf(state.declaredArgs);
    List<String> inScope = List.copyOf(state.expansionVars().keySet());
    state.unmatched = undefinedVars ? new LinkedHashSet<>() : null;
    try {
      return i.accept(new InstructionPlanner(
          new StepScope(ctx, state, label, stage.index(), dependencies)))
          .plan();
    } catch (BuildException | InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw ctx.located(label.line(), label.text() + ": "
          + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    } finally {
      if (state.unmatched != null) {
        ctx.lints().undefinedVars(label.line(), state.unmatched, declared, inScope);
        state.unmatched = null;
      }
    }
  }

  /** The instruction's word as the Dockerfile writes it ({@code cmd}, {@code CMD}). */
  private String keywordAsWritten(Instruction i) {
    int line = i.range().startLine();
    if (line >= 1 && line <= ctx.lines().length) {
      String text = ctx.lines()[line - 1].strip();
      int end = 0;
      while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
        end++;
      }
      if (text.substring(0, end).equalsIgnoreCase(i.keyword())) {
        return text.substring(0, end);
      }
    }
    return i.keyword();
  }

  private Instruction parseTrigger(String trigger, int line) throws BuildException {
    try {
      List<Instruction> parsed =
          DockerfileParser.parse("FROM scratch\n" + trigger + "\n", "ONBUILD").instructions();
      return parsed.get(1);
    } catch (DockerfileSyntaxException | IndexOutOfBoundsException e) {
      throw ctx.located(line, "invalid ONBUILD trigger in the base image: " + trigger, e);
    }
  }

  private static ContainerConfig withPathFirst(ContainerConfig c) {
    List<String> envList = new ArrayList<>();
    envList.add("PATH=" + DEFAULT_PATH);
    if (c.env() != null) {
      envList.addAll(c.env());
    }
    return c.toBuilder().env(envList).build();
  }
}
