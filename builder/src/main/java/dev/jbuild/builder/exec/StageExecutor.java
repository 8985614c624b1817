package dev.jbuild.builder.exec;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
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
import dev.jbuild.parser.ast.Add;
import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.ArgDecl;
import dev.jbuild.parser.ast.Cmd;
import dev.jbuild.parser.ast.CommandForm;
import dev.jbuild.parser.ast.Copy;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.Entrypoint;
import dev.jbuild.parser.ast.Env;
import dev.jbuild.parser.ast.ExecForm;
import dev.jbuild.parser.ast.Expose;
import dev.jbuild.parser.ast.From;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.Healthcheck;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.InstructionVisitor;
import dev.jbuild.parser.ast.KeyValue;
import dev.jbuild.parser.ast.Label;
import dev.jbuild.parser.ast.Maintainer;
import dev.jbuild.parser.ast.Onbuild;
import dev.jbuild.parser.ast.Run;
import dev.jbuild.parser.ast.Shell;
import dev.jbuild.parser.ast.ShellForm;
import dev.jbuild.parser.ast.StopSignal;
import dev.jbuild.parser.ast.User;
import dev.jbuild.parser.ast.Volume;
import dev.jbuild.parser.ast.Workdir;
import dev.jbuild.parser.expand.ExpansionException;
import dev.jbuild.parser.expand.VariableExpander;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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
      step.instruction().accept(new StepDispatcher(state, step)).run();
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

  /** An action a step performs; may throw anything, which the caller turns into a step error. */
  @FunctionalInterface
  private interface StepAction {
    void run() throws Exception;
  }

  /** Maps each instruction type to what it does to the stage. */
  private final class StepDispatcher implements InstructionVisitor<StepAction> {
    private final StageState state;
    private final PlannedStep step;

    StepDispatcher(StageState state, PlannedStep step) {
      this.state = state;
      this.step = step;
    }

    @Override
    public StepAction visitFrom(From i) {
      return () -> {
        throw new IllegalStateException("FROM inside a stage");
      };
    }

    @Override
    public StepAction visitRun(Run i) {
      return () -> {
        RunInstruction run = new RunInstruction(StageExecutor.this, state, step, i);
        filesystemStep(state, run, run.createdBy());
      };
    }

    @Override
    public StepAction visitCopy(Copy i) {
      return () -> {
        CopyInstruction copy = new CopyInstruction(StageExecutor.this, state, i, i.sources(),
            i.destination(), i.heredocs(), false);
        filesystemStep(state, copy, copy.createdBy());
      };
    }

    @Override
    public StepAction visitAdd(Add i) {
      return () -> {
        CopyInstruction add = new CopyInstruction(StageExecutor.this, state, i, i.sources(),
            i.destination(), i.heredocs(), true);
        filesystemStep(state, add, add.createdBy());
      };
    }

    @Override
    public StepAction visitWorkdir(Workdir i) {
      return () -> {
        String dir = absolute(state.workingDir(), expand(i.path(), state.expansionVars(), i));
        state.container(state.container().withWorkingDir(dir));
        String user = state.container().user();
        if (dir.equals("/")) {
          history(state, "WORKDIR /", null);
          return;
        }
        filesystemStep(state, new FilesystemStep() {
          @Override
          public String cacheKey() {
            return "WORKDIR\n" + dir + "\n" + (user == null ? "" : user);
          }

          @Override
          public void apply(Workspace ws) throws Exception {
            // BuildKit creates the directories owned by the stage's USER.
            int[] owner = user == null || user.isEmpty() ? new int[] {0, 0}
                : Ownership.resolve(user, ws.lower());
            new UpperDirWriter(ws.scratch().upperDir(), ws.lower())
                .mkdirs(ws.lower().resolve(dir, true), FileAttrs.newDirectory(owner[0], owner[1]));
          }
        }, "WORKDIR " + dir);
      };
    }

    @Override
    public StepAction visitCmd(Cmd i) {
      return () -> {
        List<String> cmd = command(state, i.command());
        // Docker stores an empty CMD as unset (omitempty).
        state.container(state.container().withCmd(cmd.isEmpty() ? null : cmd));
        state.cmdSetInStage = true;
        history(state, "CMD " + goList(cmd), null);
      };
    }

    @Override
    public StepAction visitEntrypoint(Entrypoint i) {
      return () -> {
        List<String> ep = command(state, i.command());
        ContainerConfig c = state.container().withEntrypoint(ep.isEmpty() ? null : ep);
        if (!state.cmdSetInStage) {
          // Docker: setting ENTRYPOINT drops a CMD inherited from the base image.
          c = c.withCmd(null);
        }
        state.container(c);
        history(state, "ENTRYPOINT " + goList(ep), null);
      };
    }

    @Override
    public StepAction visitShell(Shell i) {
      return () -> {
        state.container(state.container().toBuilder().shell(List.copyOf(i.shell())).build());
        history(state, "SHELL " + goValue(i.shell()), null);
      };
    }

    @Override
    public StepAction visitEnv(Env i) {
      return () -> history(state, "ENV " + applyPairs(state, i.pairs(), i,
          ContainerConfig::withEnv), null);
    }

    @Override
    public StepAction visitLabel(Label i) {
      return () -> history(state, "LABEL " + applyPairs(state, i.pairs(), i,
          ContainerConfig::withLabel), null);
    }

    @Override
    public StepAction visitArg(Arg i) {
      return () -> {
        List<String> parts = new ArrayList<>();
        Map<String, String> vars = state.expansionVars();
        for (ArgDecl d : i.args()) {
          String declared = d.hasDefault() ? expand(d.defaultValue(), vars, i) : null;
          String value = env.options().buildArgs().get(d.name());
          if (value == null) {
            value = declared;
          }
          if (value == null) {
            // Redeclaring a global (or predefined platform) ARG brings its value into the stage.
            value = globalArgs.get(d.name());
          }
          if (value != null) {
            state.args.put(d.name(), value);
          }
          state.declaredArgs.add(d.name());
          // History keeps the declaration, not the value a --build-arg gave it.
          parts.add(declared == null ? d.name() : d.name() + "=" + declared);
        }
        history(state, "ARG " + String.join(" ", parts), null);
      };
    }

    @Override
    public StepAction visitUser(User i) {
      return () -> {
        String user = expand(i.user(), state.expansionVars(), i);
        state.container(state.container().withUser(user));
        history(state, "USER " + user, null);
      };
    }

    @Override
    public StepAction visitExpose(Expose i) {
      return () -> {
        java.util.TreeSet<String> ports = new java.util.TreeSet<>();
        for (String word : i.ports()) {
          for (String p : expandWords(word, state.expansionVars(), i)) {
            for (String port : Ports.parse(p)) {
              state.container(state.container().withExposedPort(port));
              ports.add(port);
            }
          }
        }
        // Go prints the map with sorted keys: map[80/tcp:{} 8080/tcp:{}].
        history(state, "EXPOSE map[" + String.join(" ", ports.stream().map(p -> p + ":{}")
            .toList()) + "]", null);
      };
    }

    @Override
    public StepAction visitVolume(Volume i) {
      return () -> {
        ContainerConfig c = state.container();
        Map<String, Map<String, Object>> volumes =
            c.volumes() == null ? new TreeMap<>() : new TreeMap<>(c.volumes());
        List<String> paths = new ArrayList<>();
        for (String word : i.paths()) {
          for (String p : expandWords(word, state.expansionVars(), i)) {
            volumes.put(p, Map.of());
            paths.add(p);
          }
        }
        state.container(c.toBuilder().volumes(volumes).build());
        history(state, "VOLUME " + goValue(paths), null);
      };
    }

    @Override
    public StepAction visitStopSignal(StopSignal i) {
      return () -> {
        String signal = expand(i.signal(), state.expansionVars(), i);
        state.container(state.container().toBuilder().stopSignal(signal).build());
        history(state, "STOPSIGNAL " + signal, null);
      };
    }

    @Override
    public StepAction visitHealthcheck(Healthcheck i) {
      return () -> {
        ContainerConfig.Healthcheck hc = healthcheck(state, i);
        state.container(state.container().toBuilder().healthcheck(hc).build());
        history(state, "HEALTHCHECK " + describeHealthcheck(hc), null);
      };
    }

    @Override
    public StepAction visitOnbuild(Onbuild i) {
      return () -> {
        List<String> triggers = state.container().onBuild() == null ? new ArrayList<>()
            : new ArrayList<>(state.container().onBuild());
        triggers.add(i.triggerText());
        // BuildKit records ONBUILD in the config only, with no history entry.
        state.container(state.container().toBuilder().onBuild(triggers).build());
      };
    }

    @Override
    public StepAction visitMaintainer(Maintainer i) {
      return () -> {
        String author = i.name();
        ImageConfig c = state.config;
        state.config = new ImageConfig(c.created(), author, c.architecture(), c.os(), c.variant(),
            c.config(), c.rootfs(), c.history());
        history(state, "MAINTAINER " + author, null);
      };
    }
  }

  /** Sets one key/value pair of ENV or LABEL on a config. */
  @FunctionalInterface
  private interface PairSetter {
    ContainerConfig set(ContainerConfig config, String key, String value);
  }

  /**
   * Expands and applies ENV or LABEL pairs, all against the environment before the instruction
   * (BuildKit expands the whole command first: ENV A=x B=$A gives B the old A).
   *
   * @return the pairs as {@code k=v k2=v2}, for history
   */
  private String applyPairs(StageState state, List<KeyValue> pairs, Instruction at,
      PairSetter setter) throws BuildException {
    Map<String, String> vars = state.expansionVars();
    List<String> parts = new ArrayList<>();
    for (KeyValue kv : pairs) {
      String key = expand(kv.key(), vars, at);
      String value = expand(kv.value(), vars, at);
      state.container(setter.set(state.container(), key, value));
      parts.add(key + "=" + value);
    }
    return String.join(" ", parts);
  }

  /** HEALTHCHECK as Docker stores it: durations in nanoseconds, unset ones left out. */
  private ContainerConfig.Healthcheck healthcheck(StageState state, Healthcheck i) {
    if (i.isNone()) {
      return new ContainerConfig.Healthcheck(List.of("NONE"), null, null, null, null, null);
    }
    List<String> test = new ArrayList<>();
    if (i.command() instanceof ExecForm exec) {
      test.add("CMD");
      test.addAll(exec.args());
    } else {
      test.add("CMD-SHELL");
      test.add(((ShellForm) i.command()).command());
    }
    return new ContainerConfig.Healthcheck(test, nanos(i.intervalNanos()),
        nanos(i.timeoutNanos()), nanos(i.startPeriodNanos()), nanos(i.startIntervalNanos()),
        i.retries() == 0 ? null : i.retries());
  }

  private static Long nanos(long value) {
    return value == 0 ? null : value;
  }

  /** BuildKit prints the Go struct: {@code &{["CMD-SHELL" "x"] "5m0s" "3s" "0s" "0s" '\x00'}}. */
  static String describeHealthcheck(ContainerConfig.Healthcheck hc) {
    return "&{" + goList(hc.test()) + " \"" + goDuration(hc.interval()) + "\" \""
        + goDuration(hc.timeout()) + "\" \"" + goDuration(hc.startPeriod()) + "\" \""
        + goDuration(hc.startInterval()) + "\" '" + goRune(hc.retries()) + "'}";
  }

  /** Go's {@code time.Duration.String()} for whole milliseconds and up. */
  static String goDuration(Long nanos) {
    if (nanos == null || nanos == 0) {
      return "0s";
    }
    long ms = nanos / 1_000_000;
    long h = ms / 3_600_000;
    long m = ms / 60_000 % 60;
    double s = (ms % 60_000) / 1000.0;
    String sec = s == Math.floor(s) ? String.valueOf((long) s) : String.valueOf(s);
    if (h > 0) {
      return h + "h" + m + "m" + sec + "s";
    }
    if (m > 0) {
      return m + "m" + sec + "s";
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    return sec + "s";
  }

  private static String goRune(Integer retries) {
    int r = retries == null ? 0 : retries;
    return r >= 32 && r < 127 ? String.valueOf((char) r) : String.format("\\x%02x", r);
  }

  /**
   * Runs a filesystem step through the cache: a hit reuses the recorded layer (or "no change")
   * without running anything; a miss applies the step to a fresh upperdir and records the result.
   */
  private void filesystemStep(StageState state, FilesystemStep step, String createdBy)
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

  /** Go's {@code %v} rendering of a string slice: {@code [a b c]}. */
  static String goValue(List<String> items) {
    return GoStrings.valueList(items);
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
