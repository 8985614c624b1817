package dev.jbuild.builder.plan;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.plan.PlanState.StepLabel;
import dev.jbuild.layerstore.oci.ContainerConfig;
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
import java.util.TreeSet;

/**
 * Turns one instruction into its {@link Step}, updating the stage's planned state: RUN, COPY and
 * ADD go to {@link RunPlanner} and {@link CopyPlanner}, WORKDIR makes a directory, the others
 * change the config and name their history entry as BuildKit does. One instance per step.
 */
final class InstructionPlanner implements InstructionVisitor<InstructionPlanner.Planned> {
  /** Plans the step; may throw anything, which the caller turns into a located error. */
  @FunctionalInterface
  interface Planned {
    Step plan() throws Exception;
  }

  private final StepScope scope;
  private final PlanningContext ctx;
  private final PlanState state;
  private final StepLabel label;

  InstructionPlanner(StepScope scope) {
    this.scope = scope;
    this.ctx = scope.ctx();
    this.state = scope.state();
    this.label = scope.label();
  }

  private Step configStep(String createdBy) {
    return new ChangeConfigStep(state.header(label, createdBy));
  }

  private String expand(String word) throws BuildException {
    return scope.expand(word);
  }

  @Override
  public Planned visitFrom(From i) {
    return () -> {
      throw new IllegalStateException("FROM inside a stage");
    };
  }

  @Override
  public Planned visitRun(Run i) {
    return () -> new RunPlanner(scope).plan(i);
  }

  @Override
  public Planned visitCopy(Copy i) {
    return () -> new CopyPlanner(scope).plan(i, i.sources(), i.destination(), i.heredocs(), false);
  }

  @Override
  public Planned visitAdd(Add i) {
    return () -> new CopyPlanner(scope).plan(i, i.sources(), i.destination(), i.heredocs(), true);
  }

  @Override
  public Planned visitWorkdir(Workdir i) {
    return () -> {
      String path = expand(i.path());
      ctx.lints().workdir(scope.stageIndex(), path, label.line());
      String dir = PlanPaths.absolute(state.workingDir(), path);
      state.config = state.config.withWorkingDir(dir);
      if (dir.equals("/")) {
        return configStep("WORKDIR /");
      }
      String user = state.user();
      return new MakeWorkdirStep(state.header(label, "WORKDIR " + dir), dir, user,
          "WORKDIR\n" + dir + "\n" + user);
    };
  }

  @Override
  public Planned visitCmd(Cmd i) {
    return () -> {
      List<String> cmd = state.command(i.command());
      // Docker stores an empty CMD as unset (omitempty).
      state.config = state.config.withCmd(cmd.isEmpty() ? null : cmd);
      state.cmdSetInStage = true;
      return configStep("CMD " + GoStrings.quoteList(cmd));
    };
  }

  @Override
  public Planned visitEntrypoint(Entrypoint i) {
    return () -> {
      List<String> ep = state.command(i.command());
      ContainerConfig c = state.config.withEntrypoint(ep.isEmpty() ? null : ep);
      if (!state.cmdSetInStage) {
        // Docker: setting ENTRYPOINT drops a CMD inherited from the base image.
        c = c.withCmd(null);
      }
      state.config = c;
      return configStep("ENTRYPOINT " + GoStrings.quoteList(ep));
    };
  }

  @Override
  public Planned visitShell(Shell i) {
    return () -> {
      state.config = state.config.toBuilder().shell(List.copyOf(i.shell())).build();
      return configStep("SHELL " + GoStrings.valueList(i.shell()));
    };
  }

  @Override
  public Planned visitEnv(Env i) {
    return () -> configStep("ENV " + applyPairs(i.pairs(), (c, key, value) -> {
      ctx.lints().secretKey("ENV", key, label.line());
      return c.withEnv(key, value);
    }));
  }

  @Override
  public Planned visitLabel(Label i) {
    return () -> configStep("LABEL " + applyPairs(i.pairs(), ContainerConfig::withLabel));
  }

  @Override
  public Planned visitArg(Arg i) {
    return () -> {
      List<String> parts = new ArrayList<>();
      Map<String, String> vars = state.expansionVars();
      for (ArgDecl d : i.args()) {
        ctx.lints().secretKey("ARG", d.name(), label.line());
        String value = ctx.options().buildArgs().get(d.name());
        String declared = null;
        if (d.hasDefault()) {
          try {
            declared = ctx.expand(d.defaultValue(), vars, label.line());
          } catch (BuildException e) {
            // A given build-arg replaces the default unevaluated, so a default that cannot
            // expand (${FOO:?missing}) fails only when it is used (BuildKit dispatchArg,
            // testArgDefaultExpansion); history then shows the given value, as BuildKit's does.
            if (value == null) {
              throw e;
            }
            declared = value;
          }
        }
        if (value == null) {
          value = declared;
        }
        if (value == null) {
          // Redeclaring a global (or predefined platform) ARG brings its value into the stage.
          value = ctx.globalArgs().get(d.name());
        }
        if (value != null) {
          state.args.put(d.name(), value);
        }
        state.declaredArgs.add(d.name());
        // History keeps the declaration, not the value a --build-arg gave it.
        parts.add(declared == null ? d.name() : d.name() + "=" + declared);
      }
      return configStep("ARG " + String.join(" ", parts));
    };
  }

  @Override
  public Planned visitUser(User i) {
    return () -> {
      String user = expand(i.user());
      state.config = state.config.withUser(user);
      return configStep("USER " + user);
    };
  }

  @Override
  public Planned visitExpose(Expose i) {
    return () -> {
      TreeSet<String> ports = new TreeSet<>();
      for (String word : i.ports()) {
        for (String p : ctx.expandWords(word, state.expansionVars(), label.line())) {
          for (String port : Ports.parse(p)) {
            state.config = state.config.withExposedPort(port);
            ports.add(port);
          }
        }
      }
      // Go prints the map with sorted keys: map[80/tcp:{} 8080/tcp:{}].
      return configStep("EXPOSE map[" + String.join(" ", ports.stream().map(p -> p + ":{}")
          .toList()) + "]");
    };
  }

  @Override
  public Planned visitVolume(Volume i) {
    return () -> {
      ContainerConfig c = state.config;
      Map<String, Map<String, Object>> volumes =
          c.volumes() == null ? new TreeMap<>() : new TreeMap<>(c.volumes());
      List<String> paths = new ArrayList<>();
      for (String word : i.paths()) {
        for (String p : ctx.expandWords(word, state.expansionVars(), label.line())) {
          volumes.put(p, Map.of());
          paths.add(p);
        }
      }
      state.config = c.toBuilder().volumes(volumes).build();
      return configStep("VOLUME " + GoStrings.valueList(paths));
    };
  }

  @Override
  public Planned visitStopSignal(StopSignal i) {
    return () -> {
      String signal = expand(i.signal());
      state.config = state.config.toBuilder().stopSignal(signal).build();
      return configStep("STOPSIGNAL " + signal);
    };
  }

  @Override
  public Planned visitHealthcheck(Healthcheck i) {
    return () -> {
      ContainerConfig.Healthcheck hc = healthcheck(i);
      state.config = state.config.toBuilder().healthcheck(hc).build();
      return configStep("HEALTHCHECK " + HistoryText.healthcheck(hc));
    };
  }

  @Override
  public Planned visitOnbuild(Onbuild i) {
    return () -> {
      List<String> triggers = state.config.onBuild() == null ? new ArrayList<>()
          : new ArrayList<>(state.config.onBuild());
      triggers.add(i.triggerText());
      // BuildKit records ONBUILD in the config only, with no history entry.
      state.config = state.config.toBuilder().onBuild(triggers).build();
      return configStep(null);
    };
  }

  @Override
  public Planned visitMaintainer(Maintainer i) {
    return () -> {
      state.author = i.name();
      return configStep("MAINTAINER " + i.name());
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
  private String applyPairs(List<KeyValue> pairs, PairSetter setter) throws BuildException {
    Map<String, String> vars = state.expansionVars();
    List<String> parts = new ArrayList<>();
    for (KeyValue kv : pairs) {
      String key = ctx.expand(kv.key(), vars, label.line());
      String value = ctx.expand(kv.value(), vars, label.line());
      state.config = setter.set(state.config, key, value);
      parts.add(key + "=" + value);
    }
    return String.join(" ", parts);
  }

  /** HEALTHCHECK as Docker stores it: durations in nanoseconds, unset ones left out. */
  private static ContainerConfig.Healthcheck healthcheck(Healthcheck i) {
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
