package dev.jbuild.builder.exec;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.plan.BuildPlan;
import dev.jbuild.builder.plan.PlannedStep;
import dev.jbuild.builder.plan.StagePlan;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.snapshot.ChainIds;
import dev.jbuild.layerstore.snapshot.Scratch;
import dev.jbuild.layerstore.snapshot.Snapshot;
import dev.jbuild.parser.DockerfileParser;
import dev.jbuild.parser.ast.CommandForm;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.ExecForm;
import dev.jbuild.parser.ast.From;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.ShellForm;
import dev.jbuild.parser.expand.ExpansionException;
import dev.jbuild.parser.expand.VariableExpander;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds one stage: FROM (plus the base image's ONBUILD triggers), then each instruction in
 * order. Filesystem steps (RUN, COPY, ADD, WORKDIR) are looked up in the build cache by a
 * content-based key — the ChainID of the layers below plus the step's canonical inputs — and on a
 * miss write into a fresh overlay upperdir over the stage's snapshot, which {@link LayerDiffer}
 * turns into a layer. The other instructions only change the image config. History entries match
 * BuildKit's ({@code RUN /bin/sh -c make # buildkit}, comment {@code buildkit.dockerfile.v0}).
 *
 * <p>One instance per build; {@link #build} may run for several stages on different threads.
 */
public final class StageExecutor {
  /** BuildKit's default PATH for images that set none ({@code dockerfile2llb/convert.go}). */
  static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final String COMMENT = "buildkit.dockerfile.v0";
  private static final String CACHE_VERSION = "jbuild-cache-v1";

  private final BuildEnvironment env;
  private final BuildPlan plan;
  private final Map<String, String> globalArgs;
  private final VariableExpander expander;
  private final StageResults stages;

  /**
   * Creates an executor.
   *
   * @param globalArgs the values of the ARGs declared before the first FROM
   * @param stages results of other stages, for FROM, COPY --from and RUN --mount from=
   */
  public StageExecutor(BuildEnvironment env, BuildPlan plan, Map<String, String> globalArgs,
      StageResults stages) {
    this.env = env;
    this.plan = plan;
    this.globalArgs = Map.copyOf(globalArgs);
    this.expander = VariableExpander.withEscapeToken(plan.escapeToken());
    this.stages = stages;
  }

  BuildEnvironment env() {
    return env;
  }

  BuildPlan plan() {
    return plan;
  }

  StageResults stages() {
    return stages;
  }

  /** The values of the ARGs declared before the first FROM. */
  Map<String, String> globalArgs() {
    return globalArgs;
  }

  /**
   * Builds {@code stagePlan}.
   *
   * @return the stage's config and layers
   */
  public StageResult build(StagePlan stagePlan) throws BuildException, InterruptedException {
    boolean useCache = !env.options().noCache() && (stagePlan.stage().name() == null
        || !env.options().noCacheStages().contains(stagePlan.stage().name()));
    StageState state = from(stagePlan, useCache);
    for (PlannedStep step : stagePlan.steps()) {
      runStep(state, step);
    }
    return new StageResult(state.config, state.layers, state.args, state.declaredArgs);
  }

  private void runStep(StageState state, PlannedStep step)
      throws BuildException, InterruptedException {
    long start = System.nanoTime();
    if (step.numbered()) {
      env.listener().stepStarted(step.label());
    }
    state.lastStepCached = false;
    try {
      step.instruction().accept(new StepDispatcher(this, state, step)).run();
    } catch (BuildException | InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw failure(step, e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }
    if (step.numbered()) {
      env.listener().stepFinished(step.label(), (System.nanoTime() - start) / 1_000_000,
          state.lastStepCached);
    }
  }

  private StageState from(StagePlan stagePlan, boolean useCache)
      throws BuildException, InterruptedException {
    From from = stagePlan.stage().from();
    long start = System.nanoTime();
    String label = stagePlan.fromLabel();
    ImageConfig config;
    List<Layer> layers;
    StageResult baseStage = null;
    if (stagePlan.baseStage() >= 0) {
      env.listener().stepStarted(label);
      baseStage = stages.await(stagePlan.baseStage());
      config = baseStage.config();
      layers = baseStage.layers();
    } else {
      String name = expand(from.image(), globalArgs, from);
      label = label.substring(0, label.indexOf(']') + 1) + " FROM " + name;
      env.listener().stepStarted(label);
      if (name.equals("scratch")) {
        config = ImageConfig.scratch(env.options().platform());
        layers = List.of();
      } else {
        Image base = resolveImage(name, from);
        config = base.config();
        layers = base.layers();
      }
    }
    StageState state = new StageState(config, layers, useCache);
    state.lastCreated = env.options().sourceDateEpoch() != null ? null : config.created();
    if (baseStage != null) {
      // A stage built FROM another stage inherits its build arguments' values, not their
      // declarations (BuildKit: the LLB state's env carries over, buildArgs start empty).
      state.args.putAll(baseStage.args());
    }
    if (!state.container().envMap().containsKey("PATH")) {
      state.container(withPathFirst(state.container()));
    }
    env.listener().stepFinished(label, (System.nanoTime() - start) / 1_000_000, false);
    List<String> triggers = state.container().onBuild();
    if (triggers != null && !triggers.isEmpty()) {
      // The child runs its base's triggers right after FROM and does not inherit them.
      state.container(state.container().toBuilder().onBuild(null).build());
      for (String trigger : triggers) {
        runStep(state, new PlannedStep(parseTrigger(trigger, from), "ONBUILD " + trigger, true));
      }
    }
    return state;
  }

  /** Resolves an image named by FROM or {@code --from}, pulling it if needed. */
  Image resolveImage(String name, Instruction at) throws BuildException {
    ImageReference ref;
    try {
      ref = ImageReference.parse(name);
    } catch (IllegalArgumentException e) {
      throw located(at, at.keyword() + " " + name + ": " + e.getMessage(), e);
    }
    return env.bases().resolve(ref, env.options().platform(), env.options().pull());
  }

  private Instruction parseTrigger(String trigger, From at) throws BuildException {
    try {
      List<Instruction> parsed =
          DockerfileParser.parse("FROM scratch\n" + trigger + "\n", "ONBUILD").instructions();
      return parsed.get(1);
    } catch (DockerfileSyntaxException | IndexOutOfBoundsException e) {
      throw located(at, "invalid ONBUILD trigger in the base image: " + trigger, e);
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

  /**
   * Runs a filesystem step through the cache: a hit reuses the recorded layer (or "no change")
   * without running anything; a miss applies the step to a fresh upperdir and records the result.
   */
  void filesystemStep(StageState state, FilesystemStep step, String createdBy)
      throws Exception {
    List<Digest> diffIds = state.layers.stream().map(Layer::diffId).toList();
    String below = step.independentOfLower() ? "link"
        : diffIds.isEmpty() ? "scratch" : ChainIds.top(diffIds).toString();
    Digest key = Digest.sha256(CACHE_VERSION + "\n" + env.options().platform() + "\n" + below
        + "\nepoch " + env.options().sourceDateEpoch() + "\n" + step.cacheKey());
    Optional<Layer> layer;
    Optional<BuildCache.Hit> hit = state.useCache ? env.cache().get(key) : Optional.empty();
    String created;
    if (hit.isPresent()) {
      layer = hit.get().layer();
      state.lastStepCached = true;
      created = hit.get().created() != null && env.options().sourceDateEpoch() == null
          ? hit.get().created() : env.clock().get().toString();
    } else {
      layer = inScratch(state, step);
      if (layer.isEmpty()) {
        // BuildKit keeps a layer for every filesystem step, an empty tar when nothing changed.
        layer = Optional.of(emptyLayer());
      }
      created = env.clock().get().toString();
      env.cache().put(key, layer, created);
    }
    // A cached step keeps the time it was first built, as BuildKit does, so that an unchanged
    // rebuild produces the same config and image ID.
    state.lastCreated = created;
    history(state, createdBy, layer.orElse(null));
  }

  /**
   * Applies {@code step} to a fresh upperdir over the stage's current layers and turns what it
   * wrote into a layer (none when nothing changed). The upperdir is always removed.
   */
  private Optional<Layer> inScratch(StageState state, FilesystemStep step) throws Exception {
    Snapshot snapshot = env.store().snapshots().prepare(
        step.independentOfLower() ? List.of() : state.layers);
    List<Path> lowers = step.independentOfLower() ? List.of()
        : snapshot.absoluteLowerDirsTopFirst();
    LayeredRootfs lower = LayeredRootfs.ofSnapshots(lowers);
    try (Scratch scratch = env.store().snapshots().newScratch()) {
      step.apply(new Workspace(snapshot, scratch, lower));
      Optional<Layer> layer = LayerDiffer.diff(scratch.upperDir(), lowers,
          env.store().content(), env.layerOptions());
      if (layer.isPresent() && !step.independentOfLower()
          && env.options().sourceDateEpoch() == null) {
        // The next step's lower is this upperdir: publish it rather than unpack the layer again.
        env.store().snapshots().adopt(state.layers, layer.get(), scratch);
      }
      return layer;
    }
  }

  /** The layer of a step that changed nothing: an empty tar (two zero blocks). */
  private Layer emptyLayer() throws IOException {
    return LayerDiffer.fromTar(new java.io.ByteArrayInputStream(new byte[1024]),
        env.store().content(), env.layerOptions());
  }

  /** A merged read-only view of a stage's or image's layers, for COPY --from and mounts. */
  LayeredRootfs rootfsOf(List<Layer> layers) throws IOException {
    Snapshot snapshot = env.store().snapshots().prepare(layers);
    return LayeredRootfs.ofSnapshots(snapshot.absoluteLowerDirsTopFirst());
  }

  /**
   * Records a history entry. Steps without a layer take the time of the last filesystem step
   * (or of the base image), so times only move when something was really built.
   */
  void history(StageState state, String createdBy, Layer layer) {
    String created = state.lastCreated != null ? state.lastCreated
        : env.clock().get().toString();
    ImageConfig.History entry = new ImageConfig.History(created, null, createdBy, COMMENT,
        layer == null ? Boolean.TRUE : null);
    state.config = state.config.withStep(entry, layer == null ? null : layer.diffId())
        .withCreated(created);
    if (layer != null) {
      state.layers.add(layer);
    }
  }

  /** The argv of a CMD/ENTRYPOINT/RUN: exec form as is, shell form through the stage's SHELL. */
  static List<String> command(StageState state, CommandForm form) {
    if (form instanceof ExecForm exec) {
      return exec.args();
    }
    List<String> argv = new ArrayList<>(state.shell());
    argv.add(((ShellForm) form).command());
    return argv;
  }

  String expand(String word, Map<String, String> vars, Instruction at) throws BuildException {
    try {
      return expander.expand(word, vars);
    } catch (ExpansionException e) {
      throw located(at, e.getMessage(), e);
    }
  }

  List<String> expandWords(String text, Map<String, String> vars, Instruction at)
      throws BuildException {
    try {
      return expander.expandWords(text, vars);
    } catch (ExpansionException e) {
      throw located(at, e.getMessage(), e);
    }
  }

  /** Resolves {@code path} against the working directory, as WORKDIR and COPY do. */
  static String absolute(String workingDir, String path) {
    return LayeredRootfs.join(LayeredRootfs.split(path.startsWith("/") ? path
        : workingDir + "/" + path));
  }


  /** Go's {@code %q} rendering of a string slice, as BuildKit writes CMD into history. */
  static String goList(List<String> items) {
    return GoStrings.quoteList(items);
  }

  String prefix(Instruction i) {
    return env.options().dockerfileName() + ":" + i.range().startLine() + ": ";
  }

  BuildException located(Instruction i, String message, Throwable cause) {
    return new BuildException(prefix(i) + message, cause);
  }

  private BuildException failure(PlannedStep step, String message, Throwable cause) {
    return located(step.instruction(), step.label() + ": " + message, cause);
  }
}
