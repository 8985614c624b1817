package dev.jbuild.builder.exec;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.builder.plan.PlannedStep;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.parser.ast.Add;
import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.ArgDecl;
import dev.jbuild.parser.ast.Cmd;
import dev.jbuild.parser.ast.Copy;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps each instruction of a stage to what it does: filesystem steps (RUN, COPY, ADD, WORKDIR) go
 * through {@link StageExecutor#filesystemStep} and the build cache, the others change the image
 * config and add a history entry. One instance per step.
 */
final class StepDispatcher implements InstructionVisitor<StepDispatcher.StepAction> {
  /** An action a step performs; may throw anything, which the caller turns into a step error. */
  @FunctionalInterface
  interface StepAction {
    void run() throws Exception;
  }

  private final StageExecutor exec;
  private final StageState state;
  private final PlannedStep step;

  StepDispatcher(StageExecutor exec, StageState state, PlannedStep step) {
    this.exec = exec;
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
      RunInstruction run = new RunInstruction(exec, state, step, i);
      exec.filesystemStep(state, run, run.createdBy());
    };
  }

  @Override
  public StepAction visitCopy(Copy i) {
    return () -> {
      CopyInstruction copy = new CopyInstruction(exec, state, i, i.sources(),
          i.destination(), i.heredocs(), false);
      exec.filesystemStep(state, copy, copy.createdBy());
    };
  }

  @Override
  public StepAction visitAdd(Add i) {
    return () -> {
      CopyInstruction add = new CopyInstruction(exec, state, i, i.sources(),
          i.destination(), i.heredocs(), true);
      exec.filesystemStep(state, add, add.createdBy());
    };
  }

  @Override
  public StepAction visitWorkdir(Workdir i) {
    return () -> {
      String dir = StageExecutor.absolute(state.workingDir(),
          exec.expand(i.path(), state.expansionVars(), i));
      state.container(state.container().withWorkingDir(dir));
      String user = state.container().user();
      if (dir.equals("/")) {
        exec.history(state, "WORKDIR /", null);
        return;
      }
      exec.filesystemStep(state, new FilesystemStep() {
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
      List<String> cmd = StageExecutor.command(state, i.command());
      // Docker stores an empty CMD as unset (omitempty).
      state.container(state.container().withCmd(cmd.isEmpty() ? null : cmd));
      state.cmdSetInStage = true;
      exec.history(state, "CMD " + GoStrings.quoteList(cmd), null);
    };
  }

  @Override
  public StepAction visitEntrypoint(Entrypoint i) {
    return () -> {
      List<String> ep = StageExecutor.command(state, i.command());
      ContainerConfig c = state.container().withEntrypoint(ep.isEmpty() ? null : ep);
      if (!state.cmdSetInStage) {
        // Docker: setting ENTRYPOINT drops a CMD inherited from the base image.
        c = c.withCmd(null);
      }
      state.container(c);
      exec.history(state, "ENTRYPOINT " + GoStrings.quoteList(ep), null);
    };
  }

  @Override
  public StepAction visitShell(Shell i) {
    return () -> {
      state.container(state.container().toBuilder().shell(List.copyOf(i.shell())).build());
      exec.history(state, "SHELL " + GoStrings.valueList(i.shell()), null);
    };
  }

  @Override
  public StepAction visitEnv(Env i) {
    return () -> exec.history(state, "ENV " + applyPairs(state, i.pairs(), i,
        ContainerConfig::withEnv), null);
  }

  @Override
  public StepAction visitLabel(Label i) {
    return () -> exec.history(state, "LABEL " + applyPairs(state, i.pairs(), i,
        ContainerConfig::withLabel), null);
  }

  @Override
  public StepAction visitArg(Arg i) {
    return () -> {
      List<String> parts = new ArrayList<>();
      Map<String, String> vars = state.expansionVars();
      for (ArgDecl d : i.args()) {
        String declared = d.hasDefault() ? exec.expand(d.defaultValue(), vars, i) : null;
        String value = exec.env().options().buildArgs().get(d.name());
        if (value == null) {
          value = declared;
        }
        if (value == null) {
          // Redeclaring a global (or predefined platform) ARG brings its value into the stage.
          value = exec.globalArgs().get(d.name());
        }
        if (value != null) {
          state.args.put(d.name(), value);
        }
        state.declaredArgs.add(d.name());
        // History keeps the declaration, not the value a --build-arg gave it.
        parts.add(declared == null ? d.name() : d.name() + "=" + declared);
      }
      exec.history(state, "ARG " + String.join(" ", parts), null);
    };
  }

  @Override
  public StepAction visitUser(User i) {
    return () -> {
      String user = exec.expand(i.user(), state.expansionVars(), i);
      state.container(state.container().withUser(user));
      exec.history(state, "USER " + user, null);
    };
  }

  @Override
  public StepAction visitExpose(Expose i) {
    return () -> {
      java.util.TreeSet<String> ports = new java.util.TreeSet<>();
      for (String word : i.ports()) {
        for (String p : exec.expandWords(word, state.expansionVars(), i)) {
          for (String port : Ports.parse(p)) {
            state.container(state.container().withExposedPort(port));
            ports.add(port);
          }
        }
      }
      // Go prints the map with sorted keys: map[80/tcp:{} 8080/tcp:{}].
      exec.history(state, "EXPOSE map[" + String.join(" ", ports.stream().map(p -> p + ":{}")
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
        for (String p : exec.expandWords(word, state.expansionVars(), i)) {
          volumes.put(p, Map.of());
          paths.add(p);
        }
      }
      state.container(c.toBuilder().volumes(volumes).build());
      exec.history(state, "VOLUME " + GoStrings.valueList(paths), null);
    };
  }

  @Override
  public StepAction visitStopSignal(StopSignal i) {
    return () -> {
      String signal = exec.expand(i.signal(), state.expansionVars(), i);
      state.container(state.container().toBuilder().stopSignal(signal).build());
      exec.history(state, "STOPSIGNAL " + signal, null);
    };
  }

  @Override
  public StepAction visitHealthcheck(Healthcheck i) {
    return () -> {
      ContainerConfig.Healthcheck hc = healthcheck(state, i);
      state.container(state.container().toBuilder().healthcheck(hc).build());
      exec.history(state, "HEALTHCHECK " + HistoryText.healthcheck(hc), null);
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
      exec.history(state, "MAINTAINER " + author, null);
    };
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
      String key = exec.expand(kv.key(), vars, at);
      String value = exec.expand(kv.value(), vars, at);
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
    if (i.command() instanceof ExecForm execForm) {
      test.add("CMD");
      test.addAll(execForm.args());
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
}
