package dev.jbuild.builder.plan;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.plan.PlanState.StepLabel;
import dev.jbuild.parser.ast.Flag;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.Heredoc;
import dev.jbuild.parser.ast.Run;
import dev.jbuild.parser.ast.ShellForm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Plans a RUN: its flags ({@code --mount}, {@code --network}, {@code --security}), argv (shell or
 * exec form, here-documents), environment (proxy build args, the stage's ARGs, ENV), history text
 * with BuildKit's {@code |N K=V} prefix, and the static part of its cache key.
 */
final class RunPlanner {
  private static final List<String> PROXY_ORDER = List.of("http_proxy", "https_proxy",
      "ftp_proxy", "no_proxy", "all_proxy");
  private static final Set<String> PROXY_ARGS = Set.copyOf(PROXY_ORDER);
  private static final Pattern SINGLE_HEREDOC =
      Pattern.compile("\\s*\\d*<<-?\\s*[\"']?[^\\s\"']+[\"']?\\s*");

  private final StepScope scope;
  private final PlanningContext ctx;
  private final PlanState state;
  private final StepLabel label;

  RunPlanner(StepScope scope) {
    this.scope = scope;
    this.ctx = scope.ctx();
    this.state = scope.state();
    this.label = scope.label();
  }

  RunCommandStep plan(Run run) throws BuildException, InterruptedException {
    String workingDir = state.workingDir();
    NetworkPolicy network = ctx.options().network();
    List<RunMount> mounts = new ArrayList<>();
    for (Flag f : run.flags()) {
      if (f.name().equals("mount") && f.value() != null) {
        checkFromNotExpanded(f.value());
      }
      // BuildKit expands only --mount (RunCommand.Expand), so only its variables count as used
      // for UndefinedVar; a plain copy of the variables records nothing.
      String value = f.value() == null ? ""
          : ctx.expand(f.value(), f.name().equals("mount") ? state.expansionVars()
              : new java.util.LinkedHashMap<>(state.expansionVars()), label.line());
      switch (f.name()) {
        case "mount" -> mounts.add(mount(value, workingDir));
        case "network" -> network = switch (value) {
          case "none" -> NetworkPolicy.NONE;
          case "host" -> NetworkPolicy.HOST;
          case "default" -> network;
          default -> throw ctx.located(label.line(), "unsupported network mode \"" + value
              + "\" (expected default, none or host)", null);
        };
        case "security" -> {
          if (value.equals("insecure")) {
            // BuildKit's words when the entitlement is not granted (testRunSecurityInsecure);
            // jbuild has no way to grant it.
            throw ctx.located(label.line(), "RUN --security=insecure: entitlement"
                + " security.insecure is not allowed", null);
          }
          if (!value.equals("sandbox")) {
            throw ctx.located(label.line(), "RUN --security=" + value + " is not supported",
                null);
          }
        }
        default -> throw ctx.located(label.line(), "RUN " + f + " is not supported", null);
      }
    }
    Heredoc heredoc = scriptHeredoc(run);
    InlineFile script = heredoc == null ? null
        : new InlineFile(heredoc.name(), heredoc.content());
    List<String> argv = argv(run, script);
    List<String> env = environment();
    String user = state.user();
    StringBuilder key = new StringBuilder("RUN\n");
    key.append(GoStrings.quoteList(argv)).append('\n');
    if (script != null) {
      key.append("script ").append(script.content()).append('\n');
    }
    key.append(GoStrings.quoteList(env)).append('\n');
    key.append("user ").append(user).append("\nworkdir ").append(workingDir)
        .append("\nnetwork ").append(network).append('\n');
    for (RunMount m : mounts) {
      key.append("mount ").append(m.canonical()).append('\n');
    }
    // BuildKit's dockerui: a non-empty BUILDKIT_SANDBOX_HOSTNAME build arg is every RUN's
    // hostname (testDockerfileCheckHostname); like BuildKit's exec meta, it is in the key.
    String hostname = ctx.options().buildArgs().get("BUILDKIT_SANDBOX_HOSTNAME");
    if (hostname != null && hostname.isEmpty()) {
      hostname = null;
    }
    if (hostname != null && (hostname.length() > 64 || hostname.contains("/"))) {
      throw ctx.located(label.line(), "invalid BUILDKIT_SANDBOX_HOSTNAME \"" + hostname
          + "\": a hostname has at most 64 characters and no '/'", null);
    }
    if (hostname != null) {
      key.append("hostname ").append(hostname).append('\n');
    }
    String createdBy = "RUN " + buildArgPrefix() + String.join(" ", argv) + " # buildkit";
    return new RunCommandStep(scope.header(createdBy), argv, env, proxyEnv(), user, workingDir,
        network, mounts, script, hostname, key.toString());
  }

  /**
   * BuildKit reads a mount's {@code from} before expansion, so a variable there is an error
   * rather than a stage name ({@code parseMount}; {@code testMountFromError}). A {@code $} as
   * the last character is literal.
   */
  private void checkFromNotExpanded(String raw) throws BuildException {
    for (String field : raw.split(",")) {
      int eq = field.indexOf('=');
      if (eq > 0 && field.substring(0, eq).equalsIgnoreCase("from")) {
        String v = field.substring(eq + 1);
        int dollar = v.indexOf('$');
        if (dollar >= 0 && dollar != v.length() - 1) {
          throw ctx.located(label.line(),
              "'from' doesn't support variable expansion, define alias stage instead", null);
        }
      }
    }
  }

  private RunMount mount(String value, String workingDir)
      throws BuildException, InterruptedException {
    RunMount m;
    try {
      m = RunMount.parse(value, workingDir);
    } catch (IllegalArgumentException e) {
      throw ctx.located(label.line(), e.getMessage(), e);
    }
    String from = m.options().get("from");
    // A cache mount's from= is the cache's base, as in BuildKit's convert_runmount.go.
    if (from == null || (m.type() != RunMount.Type.BIND && m.type() != RunMount.Type.CACHE)) {
      return m;
    }
    if (ctx.definedLater(from, scope.stageIndex())) {
      // BuildKit's convert_runmount.go wording.
      throw ctx.located(label.line(), "cannot mount from stage \"" + from + "\" to \""
          + m.target() + "\", stage needs to be defined before current command", null);
    }
    return m.withOrigin(scope.origin(from, "RUN --mount"));
  }

  /**
   * The environment: proxy build args reach RUN without being declared, as in BuildKit (and stay
   * out of history); declared build args are environment variables; ENV wins on a clash.
   */
  private List<String> environment() {
    Map<String, String> environment = new LinkedHashMap<>();
    ctx.options().buildArgs().forEach((k, v) -> {
      if (PROXY_ARGS.contains(k.toLowerCase(Locale.ROOT))) {
        environment.put(k, v);
      }
    });
    environment.putAll(state.args);
    environment.putAll(state.config.envMap());
    List<String> env = new ArrayList<>();
    environment.forEach((k, v) -> env.add(k + "=" + v));
    return env;
  }

  /**
   * BuildKit's proxy variables: each of the five names given as a build arg in any case (the
   * last in sorted order wins) and not empty is set under both its upper- and lower-case name
   * ({@code dockerfile2llb proxyEnvFromBuildArgs}, {@code llbsolver/ops/exec.go proxyEnvList}).
   */
  private List<String> proxyEnv() {
    Map<String, String> values = new java.util.TreeMap<>();
    new java.util.TreeMap<>(ctx.options().buildArgs()).forEach((k, v) -> {
      String lower = k.toLowerCase(Locale.ROOT);
      if (PROXY_ARGS.contains(lower)) {
        values.put(lower, v);
      }
    });
    List<String> env = new ArrayList<>();
    for (String name : PROXY_ORDER) {
      String v = values.get(name);
      if (v != null && !v.isEmpty()) {
        env.add(name.toUpperCase(Locale.ROOT) + "=" + v);
        env.add(name + "=" + v);
      }
    }
    return env;
  }

  /**
   * BuildKit's history prefix: {@code |2 A=1 B=2 } lists the declared build args in scope, each
   * once at its first declaration with its current value (current BuildKit's {@code
   * runCommandString}, testExportedHistoryFlattenArgs; BuildKit 0.8 listed a re-declared ARG
   * again, see the oracle's arg-scope case).
   */
  private String buildArgPrefix() {
    List<String> shown = new ArrayList<>();
    Map<String, String> stateEnv = new LinkedHashMap<>(state.args);
    stateEnv.putAll(state.config.envMap());
    for (String name : new java.util.LinkedHashSet<>(state.declaredArgs)) {
      shown.add(name + "=" + stateEnv.getOrDefault(name, ""));
    }
    return shown.isEmpty() ? "" : "|" + shown.size() + " " + String.join(" ", shown) + " ";
  }

  /**
   * The here-document to run as a file when the command is just {@code <<EOF} and starts with
   * {@code #!}.
   */
  private static Heredoc scriptHeredoc(Run run) {
    if (run.heredocs().size() == 1 && run.command() instanceof ShellForm shell
        && SINGLE_HEREDOC.matcher(shell.command()).matches()
        && run.heredocs().get(0).content().startsWith("#!")) {
      return run.heredocs().get(0);
    }
    return null;
  }

  private List<String> argv(Run run, InlineFile script) {
    if (script != null) {
      return List.of(RunCommandStep.scriptPath(script));
    }
    if (run.heredocs().isEmpty() || !(run.command() instanceof ShellForm shell)) {
      return state.command(run.command());
    }
    List<String> argv = new ArrayList<>(state.shell());
    if (run.heredocs().size() == 1 && SINGLE_HEREDOC.matcher(shell.command()).matches()) {
      // RUN <<EOF: the body is the script.
      argv.add(run.heredocs().get(0).content());
      return argv;
    }
    // Anything else: the shell gets the line, the bodies and their terminators, as written.
    StringBuilder sb = new StringBuilder(shell.command()).append('\n');
    for (Heredoc h : run.heredocs()) {
      sb.append(h.content()).append(h.name()).append('\n');
    }
    argv.add(sb.toString());
    return argv;
  }
}
