package dev.jbuild.builder.exec;

import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.StepFailedException;
import dev.jbuild.builder.context.ContextCopier;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.builder.plan.PlannedStep;
import dev.jbuild.builder.plan.StagePlan;
import dev.jbuild.layerstore.Layer;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.snapshot.Scratch;
import dev.jbuild.layerstore.snapshot.Snapshot;
import dev.jbuild.parser.ast.Add;
import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.ArgDecl;
import dev.jbuild.parser.ast.Cmd;
import dev.jbuild.parser.ast.CommandForm;
import dev.jbuild.parser.ast.Copy;
import dev.jbuild.parser.ast.Entrypoint;
import dev.jbuild.parser.ast.Env;
import dev.jbuild.parser.ast.ExecForm;
import dev.jbuild.parser.ast.Expose;
import dev.jbuild.parser.ast.Flag;
import dev.jbuild.parser.ast.From;
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
import dev.jbuild.runner.ContainerRunner;
import dev.jbuild.runner.ContainerSpec;
import dev.jbuild.runner.ExitStatus;
import dev.jbuild.runner.NetworkMode;
import dev.jbuild.runner.RunnerException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds one stage: FROM, then each instruction in order. Filesystem steps (RUN, COPY, ADD,
 * WORKDIR) write into a fresh overlay upperdir over the stage's snapshot and become layers through
 * {@link LayerDiffer}; the others only change the image config. History entries match BuildKit's
 * ({@code RUN /bin/sh -c make # buildkit}, comment {@code buildkit.dockerfile.v0}).
 *
 * <p>One instance per stage and build; not thread-safe.
 */
public final class StageExecutor {
  /** BuildKit's default PATH for images that set none ({@code dockerfile2llb/convert.go}). */
  static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final String COMMENT = "buildkit.dockerfile.v0";
  private static final FileAttrs NEW_DIR = FileAttrs.newDirectory(0, 0);

  private final LayerStore store;
  private final ContainerRunner runner;
  private final BaseImageSource bases;
  private final BuildRequest request;
  private final BuildListener listener;
  private final Supplier<Instant> clock;
  private final Map<String, String> globalArgs;
  private final VariableExpander expander;

  /**
   * Creates an executor.
   *
   * @param globalArgs the values of the ARGs declared before the first FROM
   * @param clock the time recorded in history and config ({@code SOURCE_DATE_EPOCH} or now)
   */
  public StageExecutor(LayerStore store, ContainerRunner runner, BaseImageSource bases,
      BuildRequest request, BuildListener listener, Supplier<Instant> clock,
      Map<String, String> globalArgs, char escapeToken) {
    this.store = store;
    this.runner = runner;
    this.bases = bases;
    this.request = request;
    this.listener = listener;
    this.clock = clock;
    this.globalArgs = Map.copyOf(globalArgs);
    this.expander = VariableExpander.withEscapeToken(escapeToken);
  }

  /**
   * Builds {@code plan} on top of {@code baseStage} (the result of the stage its FROM names) or of
   * the image its FROM names.
   *
   * @return the stage's config and layers
   */
  public StageResult build(StagePlan plan, StageResult baseStage)
      throws BuildException, InterruptedException {
    StageState state = from(plan, baseStage);
    for (PlannedStep step : plan.steps()) {
      long start = System.nanoTime();
      if (step.numbered()) {
        listener.stepStarted(step.label());
      }
      try {
        step.instruction().accept(new StepDispatcher(state, step)).run();
      } catch (BuildException | InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw failure(step, e.getMessage() == null ? e.toString() : e.getMessage(), e);
      }
      if (step.numbered()) {
        listener.stepFinished(step.label(), (System.nanoTime() - start) / 1_000_000, false);
      }
    }
    return new StageResult(state.config, state.layers);
  }

  private StageState from(StagePlan plan, StageResult baseStage)
      throws BuildException, InterruptedException {
    From from = plan.stage().from();
    long start = System.nanoTime();
    String label = plan.fromLabel();
    ImageConfig config;
    List<Layer> layers;
    if (baseStage != null) {
      listener.stepStarted(label);
      config = baseStage.config();
      layers = baseStage.layers();
    } else {
      String name = expand(from.image(), globalArgs, from);
      label = label.substring(0, label.indexOf(']') + 1) + " FROM " + name;
      listener.stepStarted(label);
      if (name.equals("scratch")) {
        config = ImageConfig.scratch(request.platform());
        layers = List.of();
      } else {
        ImageReference ref;
        try {
          ref = ImageReference.parse(name);
        } catch (IllegalArgumentException e) {
          throw located(from, "FROM " + name + ": " + e.getMessage(), e);
        }
        Image base = bases.resolve(ref, request.platform());
        config = base.config();
        layers = base.layers();
      }
    }
    // A fresh stage keeps the base's config and layers but not its history's "created" time.
    StageState state = new StageState(config, layers);
    if (!state.container().envMap().containsKey("PATH")) {
      state.container(withPathFirst(state.container()));
    }
    listener.stepFinished(label, (System.nanoTime() - start) / 1_000_000, false);
    return state;
  }

  private static ContainerConfig withPathFirst(ContainerConfig c) {
    List<String> env = new ArrayList<>();
    env.add("PATH=" + DEFAULT_PATH);
    if (c.env() != null) {
      env.addAll(c.env());
    }
    return new ContainerConfig(c.user(), c.exposedPorts(), env, c.entrypoint(), c.cmd(),
        c.volumes(), c.workingDir(), c.labels(), c.stopSignal(), c.shell(), c.onBuild());
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
      return () -> run(state, step, i);
    }

    @Override
    public StepAction visitCmd(Cmd i) {
      return () -> {
        List<String> cmd = command(state, i.command());
        state.container(state.container().withCmd(cmd));
        state.cmdSetInStage = true;
        history(state, "CMD " + goList(cmd), null);
      };
    }

    @Override
    public StepAction visitEntrypoint(Entrypoint i) {
      return () -> {
        List<String> ep = command(state, i.command());
        ContainerConfig c = state.container().withEntrypoint(ep);
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
        ContainerConfig c = state.container();
        state.container(new ContainerConfig(c.user(), c.exposedPorts(), c.env(), c.entrypoint(),
            c.cmd(), c.volumes(), c.workingDir(), c.labels(), c.stopSignal(),
            List.copyOf(i.shell()), c.onBuild()));
        history(state, "SHELL " + goList(i.shell()), null);
      };
    }

    @Override
    public StepAction visitCopy(Copy i) {
      return () -> copy(state, step, i, i.sources(), i.destination(), "COPY");
    }

    @Override
    public StepAction visitAdd(Add i) {
      return () -> copy(state, step, i, i.sources(), i.destination(), "ADD");
    }

    @Override
    public StepAction visitEnv(Env i) {
      return () -> {
        List<String> parts = new ArrayList<>();
        for (KeyValue kv : i.pairs()) {
          Map<String, String> vars = state.expansionVars();
          String key = expand(kv.key(), vars, i);
          String value = expand(kv.value(), vars, i);
          state.container(state.container().withEnv(key, value));
          parts.add(key + "=" + value);
        }
        history(state, "ENV " + String.join(" ", parts), null);
      };
    }

    @Override
    public StepAction visitLabel(Label i) {
      return () -> {
        List<String> parts = new ArrayList<>();
        for (KeyValue kv : i.pairs()) {
          Map<String, String> vars = state.expansionVars();
          String key = expand(kv.key(), vars, i);
          String value = expand(kv.value(), vars, i);
          state.container(state.container().withLabel(key, value));
          parts.add(key + "=" + value);
        }
        history(state, "LABEL " + String.join(" ", parts), null);
      };
    }

    @Override
    public StepAction visitArg(Arg i) {
      return () -> {
        List<String> parts = new ArrayList<>();
        for (ArgDecl d : i.args()) {
          String value = request.buildArgs().get(d.name());
          if (value == null && globalArgs.containsKey(d.name()) && !d.hasDefault()) {
            value = globalArgs.get(d.name());
          }
          if (value == null && d.hasDefault()) {
            value = expand(d.defaultValue(), state.expansionVars(), i);
          }
          if (value != null) {
            state.args.put(d.name(), value);
            parts.add(d.name() + "=" + value);
          } else {
            parts.add(d.name());
          }
        }
        history(state, "ARG " + String.join(" ", parts), null);
      };
    }

    @Override
    public StepAction visitWorkdir(Workdir i) {
      return () -> {
        String dir = absolute(state.workingDir(), expand(i.path(), state.expansionVars(), i));
        state.container(state.container().withWorkingDir(dir));
        Optional<Layer> layer = inScratch(state, ws -> {
          UpperDirWriter writer = new UpperDirWriter(ws.scratch().upperDir(), ws.lower());
          writer.mkdirs(ws.lower().resolve(dir, true), NEW_DIR);
        });
        history(state, "WORKDIR " + dir, layer.orElse(null));
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
        List<String> ports = new ArrayList<>();
        for (String word : i.ports()) {
          for (String p : expandWords(word, state.expansionVars(), i)) {
            String port = p.contains("/") ? p.toLowerCase() : p + "/tcp";
            state.container(state.container().withExposedPort(port));
            ports.add(port + ":{}");
          }
        }
        history(state, "EXPOSE map[" + String.join(" ", ports) + "]", null);
      };
    }

    @Override
    public StepAction visitVolume(Volume i) {
      return () -> {
        ContainerConfig c = state.container();
        Map<String, Map<String, Object>> volumes =
            c.volumes() == null ? new java.util.TreeMap<>() : new java.util.TreeMap<>(c.volumes());
        List<String> paths = new ArrayList<>();
        for (String word : i.paths()) {
          for (String p : expandWords(word, state.expansionVars(), i)) {
            volumes.put(p, Map.of());
            paths.add(p);
          }
        }
        state.container(new ContainerConfig(c.user(), c.exposedPorts(), c.env(), c.entrypoint(),
            c.cmd(), volumes, c.workingDir(), c.labels(), c.stopSignal(), c.shell(), c.onBuild()));
        history(state, "VOLUME " + goList(paths), null);
      };
    }

    @Override
    public StepAction visitStopSignal(StopSignal i) {
      return () -> {
        String signal = expand(i.signal(), state.expansionVars(), i);
        ContainerConfig c = state.container();
        state.container(new ContainerConfig(c.user(), c.exposedPorts(), c.env(), c.entrypoint(),
            c.cmd(), c.volumes(), c.workingDir(), c.labels(), signal, c.shell(), c.onBuild()));
        history(state, "STOPSIGNAL " + signal, null);
      };
    }

    @Override
    public StepAction visitHealthcheck(Healthcheck i) {
      return () -> {
        throw located(i, "HEALTHCHECK is parsed but not built yet", null);
      };
    }

    @Override
    public StepAction visitOnbuild(Onbuild i) {
      return () -> {
        throw located(i, "ONBUILD is parsed but not built yet", null);
      };
    }

    @Override
    public StepAction visitMaintainer(Maintainer i) {
      return () -> {
        String author = i.name();
        state.config = new ImageConfig(state.config.created(), author,
            state.config.architecture(), state.config.os(), state.config.variant(),
            state.config.config(), state.config.rootfs(), state.config.history());
        history(state, "MAINTAINER " + author, null);
      };
    }
  }

  private void run(StageState state, PlannedStep step, Run i) throws Exception {
    if (!i.flags().isEmpty()) {
      throw located(i, "RUN " + i.flags().get(0) + " is not supported yet", null);
    }
    if (!i.heredocs().isEmpty()) {
      throw located(i, "RUN with a here-document is not supported yet", null);
    }
    List<String> args = command(state, i.command());
    Map<String, String> env = new LinkedHashMap<>();
    // Build args are visible to RUN as environment variables; ENV wins on a clash.
    env.putAll(state.args);
    env.putAll(state.container().envMap());
    List<String> envList = new ArrayList<>();
    env.forEach((k, v) -> envList.add(k + "=" + v));
    String user = state.container().user();
    StepOutput output = new StepOutput(listener, step.label());
    Optional<Layer> layer = inScratch(state, ws -> {
      ContainerSpec spec = ContainerSpec.builder()
          .lowerDirs(ws.snapshot().absoluteLowerDirsTopFirst())
          .layersRoot(ws.snapshot().layersRoot())
          .upperDir(ws.scratch().upperDir())
          .workDir(ws.scratch().workDir())
          .args(args)
          .env(envList)
          .workingDir(state.workingDir())
          .user(user == null ? "" : user)
          .network(request.network() == BuildRequest.NetworkPolicy.HOST
              ? NetworkMode.HOST : NetworkMode.NONE)
          .build();
      ExitStatus status;
      try (OutputStream out = output.stream(); OutputStream err = output.stream()) {
        status = runner.run(spec, out, err);
      } catch (RunnerException e) {
        throw located(i, step.label() + ": " + e.getMessage(), e);
      }
      if (!status.success()) {
        throw new StepFailedException(prefix(i) + step.label() + ": process \""
            + String.join(" ", args) + "\" did not complete successfully: " + describe(status),
            status.exitCode(), output.tail());
      }
    });
    String createdBy = i.command().isExecForm()
        ? "RUN " + goList(args) + " # buildkit"
        : "RUN " + String.join(" ", args) + " # buildkit";
    history(state, createdBy, layer.orElse(null));
  }

  private void copy(StageState state, PlannedStep step, Instruction i, List<String> rawSources,
      String rawDest, String keyword) throws Exception {
    String chown = null;
    int chmod = -1;
    for (Flag f : i.flags()) {
      if (f.name().equals("chown")) {
        chown = expand(f.value(), state.expansionVars(), i);
      } else if (f.name().equals("chmod")) {
        chmod = Ownership.parseOctalMode(f.value());
      } else {
        throw located(i, keyword + " " + f + " is not supported yet", null);
      }
    }
    if (i instanceof Copy c && !c.heredocs().isEmpty()
        || i instanceof Add a && !a.heredocs().isEmpty()) {
      throw located(i, keyword + " with a here-document is not supported yet", null);
    }
    Map<String, String> vars = state.expansionVars();
    List<String> sources = new ArrayList<>();
    for (String s : rawSources) {
      if (keyword.equals("ADD") && (s.startsWith("http://") || s.startsWith("https://"))) {
        throw located(i, "ADD from a URL is not supported yet", null);
      }
      sources.add(expand(s, vars, i));
    }
    String destRaw = expand(rawDest, vars, i);
    String dest = absolute(state.workingDir(), destRaw);
    if (destRaw.endsWith("/") && !dest.endsWith("/")) {
      dest = dest + "/";
    }
    String destination = dest;
    String finalChown = chown;
    int finalChmod = chmod;
    Optional<Layer> layer = inScratch(state, ws -> {
      int[] finalOwner = finalChown == null ? new int[] {0, 0}
          : Ownership.resolve(finalChown, ws.lower());
      UpperDirWriter writer = new UpperDirWriter(ws.scratch().upperDir(), ws.lower());
      new ContextCopier(request.contextDir()).copy(sources, destination, writer, finalOwner,
          finalChmod);
    });
    history(state, keyword + " " + String.join(" ", rawSources) + " " + rawDest + " # buildkit",
        layer.orElse(null));
  }

  /** The lower view, snapshot and scratch upperdir of one filesystem step. */
  private record Workspace(Snapshot snapshot, Scratch scratch, LayeredRootfs lower) {}

  @FunctionalInterface
  private interface WorkspaceAction {
    void run(Workspace workspace) throws Exception;
  }

  /**
   * Runs {@code action} against a fresh upperdir over the stage's current layers and turns what
   * it wrote into a layer (none when nothing changed). The upperdir is always removed.
   */
  private Optional<Layer> inScratch(StageState state, WorkspaceAction action) throws Exception {
    Snapshot snapshot = store.snapshots().prepare(state.layers);
    LayeredRootfs lower =
        new LayeredRootfs(snapshot.absoluteLowerDirsTopFirst(), StageExecutor::isOpaque);
    try (Scratch scratch = store.snapshots().newScratch()) {
      action.run(new Workspace(snapshot, scratch, lower));
      return LayerDiffer.diff(scratch.upperDir(), snapshot.absoluteLowerDirsTopFirst(),
          store.content());
    }
  }

  private static boolean isOpaque(Path dir) {
    try {
      Optional<byte[]> v = Posix.lgetxattr(dir, "trusted.overlay.opaque");
      return v.isPresent() && Arrays.equals(v.get(), new byte[] {'y'});
    } catch (IOException e) {
      return false;
    }
  }

  private void history(StageState state, String createdBy, Layer layer) {
    String created = clock.get().toString();
    ImageConfig.History entry =
        new ImageConfig.History(created, null, createdBy, COMMENT, layer == null ? Boolean.TRUE
            : null);
    state.config = state.config.withStep(entry, layer == null ? null : layer.diffId())
        .withCreated(created);
    if (layer != null) {
      state.layers.add(layer);
    }
  }

  /** BuildKit's wording: {@code exit code: 3}, plus why the kernel stopped it if it did. */
  private static String describe(ExitStatus status) {
    if (status.oomKilled()) {
      return "exit code: " + status.exitCode() + " (killed: out of memory)";
    }
    if (status.signal() != 0) {
      return "exit code: " + status.exitCode() + " (killed by signal " + status.signal() + ")";
    }
    return "exit code: " + status.exitCode();
  }

  /** The argv of a CMD/ENTRYPOINT/RUN: exec form as is, shell form through the stage's SHELL. */
  private static List<String> command(StageState state, CommandForm form) {
    if (form instanceof ExecForm exec) {
      return exec.args();
    }
    List<String> argv = new ArrayList<>(state.shell());
    argv.add(((ShellForm) form).command());
    return argv;
  }

  private String expand(String word, Map<String, String> vars, Instruction at)
      throws BuildException {
    try {
      return expander.expand(word, vars);
    } catch (ExpansionException e) {
      throw located(at, e.getMessage(), e);
    }
  }

  private List<String> expandWords(String text, Map<String, String> vars, Instruction at)
      throws BuildException {
    try {
      return expander.expandWords(text, vars);
    } catch (ExpansionException e) {
      throw located(at, e.getMessage(), e);
    }
  }

  /** Resolves {@code path} against the working directory, as WORKDIR and COPY do. */
  static String absolute(String workingDir, String path) {
    String joined = path.startsWith("/") ? path : workingDir + "/" + path;
    List<String> parts = new ArrayList<>();
    for (String s : joined.split("/")) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
      } else {
        parts.add(s);
      }
    }
    return "/" + String.join("/", parts);
  }

  /** Go's {@code %q} rendering of a string slice, as BuildKit writes it into history. */
  static String goList(List<String> items) {
    StringBuilder sb = new StringBuilder("[");
    for (int k = 0; k < items.size(); k++) {
      if (k > 0) {
        sb.append(' ');
      }
      sb.append('"').append(items.get(k).replace("\\", "\\\\").replace("\"", "\\\""))
          .append('"');
    }
    return sb.append(']').toString();
  }

  private String prefix(Instruction i) {
    return request.dockerfile().getFileName() + ":" + i.range().startLine() + ": ";
  }

  private BuildException located(Instruction i, String message, Throwable cause) {
    return new BuildException(prefix(i) + message, cause);
  }

  private BuildException failure(PlannedStep step, String message, Throwable cause) {
    return located(step.instruction(), step.label() + ": " + message, cause);
  }
}
