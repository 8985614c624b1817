package dev.jbuild.builder.exec;

import dev.jbuild.builder.context.FileSource;
import dev.jbuild.builder.context.RootfsSource;
import dev.jbuild.builder.context.TreeCopier;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.error.StepFailedException;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.builder.plan.PlannedStep;
import dev.jbuild.layerstore.TempDir;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.parser.ast.Flag;
import dev.jbuild.parser.ast.Heredoc;
import dev.jbuild.parser.ast.Run;
import dev.jbuild.parser.ast.ShellForm;
import dev.jbuild.runner.BindMount;
import dev.jbuild.runner.ContainerSpec;
import dev.jbuild.runner.ExitStatus;
import dev.jbuild.runner.NetworkMode;
import dev.jbuild.runner.ResourceLimits;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.SecretMount;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A RUN step: the command (shell or exec form, or a here-document), its environment (ENV plus the
 * stage's ARGs), user, working directory, network and {@code --mount}s, run in a container over
 * the stage's layers. Secrets go to the runner in memory only (a private tmpfs file and/or an
 * environment variable of this RUN) and never enter a file, the cache key, the layer or the
 * history; their bytes here are zeroed when the step ends.
 */
final class RunInstruction implements FilesystemStep {
  private static final java.util.Set<String> PROXY_ARGS = java.util.Set.of("http_proxy",
      "https_proxy", "ftp_proxy", "no_proxy", "all_proxy");
  /** BuildKit's limit (session/secrets MaxSecretSize): secrets are small, and held in memory. */
  private static final int MAX_SECRET_BYTES = 500 * 1024;
  private static final Pattern SINGLE_HEREDOC = Pattern.compile("\\s*\\d*<<-?\\s*[\"']?[^\\s\"']+[\"']?\\s*");

  private final StageExecutor exec;
  private final PlannedStep step;
  private final Run run;
  private final List<String> argv;
  private final List<String> envList;
  private final String buildArgPrefix;
  private final String user;
  private final String workingDir;
  private final NetworkMode network;
  private final List<RunMount> mounts = new ArrayList<>();
  private final Heredoc script;

  RunInstruction(StageExecutor exec, StageState state, PlannedStep step, Run run)
      throws BuildException {
    this.exec = exec;
    this.step = step;
    this.run = run;
    this.workingDir = state.workingDir();
    NetworkMode net = switch (exec.env().options().network()) {
      case HOST -> NetworkMode.HOST;
      case BRIDGE -> NetworkMode.BRIDGE;
      default -> NetworkMode.NONE;
    };
    for (Flag f : run.flags()) {
      String value = f.value() == null ? "" : exec.expand(f.value(), state.expansionVars(), run);
      switch (f.name()) {
        case "mount" -> {
          try {
            mounts.add(RunMount.parse(value, workingDir));
          } catch (IllegalArgumentException e) {
            throw exec.located(run, e.getMessage(), e);
          }
        }
        case "network" -> net = switch (value) {
          case "none" -> NetworkMode.NONE;
          case "host" -> NetworkMode.HOST;
          case "default" -> net;
          default -> throw exec.located(run, "unsupported network mode \"" + value
              + "\" (expected default, none or host)", null);
        };
        case "security" -> {
          if (!value.equals("sandbox")) {
            throw exec.located(run, "RUN --security=" + value + " is not supported", null);
          }
        }
        default -> throw exec.located(run, "RUN " + f + " is not supported", null);
      }
    }
    this.network = net;
    this.script = scriptHeredoc(run);
    this.argv = argv(state, run, script);
    Map<String, String> environment = new LinkedHashMap<>();
    // Proxy build args reach RUN without being declared, as in BuildKit (and stay out of
    // history); declared build args are environment variables; ENV wins on a clash.
    exec.env().options().buildArgs().forEach((k, v) -> {
      if (PROXY_ARGS.contains(k.toLowerCase(java.util.Locale.ROOT))) {
        environment.put(k, v);
      }
    });
    environment.putAll(state.args);
    environment.putAll(state.container().envMap());
    this.envList = new ArrayList<>();
    environment.forEach((k, v) -> envList.add(k + "=" + v));
    // BuildKit's history prefix: "|2 A=1 B=2 " lists the declared build args in scope.
    List<String> shown = new ArrayList<>();
    Map<String, String> stateEnv = new LinkedHashMap<>(state.args);
    stateEnv.putAll(state.container().envMap());
    for (String name : state.declaredArgs) {
      shown.add(name + "=" + stateEnv.getOrDefault(name, ""));
    }
    this.buildArgPrefix = shown.isEmpty() ? "" : "|" + shown.size() + " "
        + String.join(" ", shown) + " ";
    String u = state.container().user();
    this.user = u == null ? "" : u;
  }

  /** The here-document to run as a file when the command is just {@code <<EOF} and starts with {@code #!}. */
  private static Heredoc scriptHeredoc(Run run) {
    if (run.heredocs().size() == 1 && run.command() instanceof ShellForm shell
        && SINGLE_HEREDOC.matcher(shell.command()).matches()
        && run.heredocs().get(0).content().startsWith("#!")) {
      return run.heredocs().get(0);
    }
    return null;
  }

  private static List<String> argv(StageState state, Run run, Heredoc script) {
    if (script != null) {
      return List.of("/dev/pipes/" + script.name());
    }
    if (run.heredocs().isEmpty() || !(run.command() instanceof ShellForm shell)) {
      return StageExecutor.command(state, run.command());
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

  /** BuildKit's history text: {@code RUN |1 V=2 /bin/sh -c make # buildkit}. */
  String createdBy() {
    return "RUN " + buildArgPrefix + String.join(" ", argv) + " # buildkit";
  }

  @Override
  public String cacheKey() throws Exception {
    StringBuilder sb = new StringBuilder("RUN\n");
    sb.append(StageExecutor.goList(argv)).append('\n');
    if (script != null) {
      sb.append("script ").append(script.content()).append('\n');
    }
    sb.append(StageExecutor.goList(envList)).append('\n');
    sb.append("user ").append(user).append("\nworkdir ").append(workingDir)
        .append("\nnetwork ").append(network).append('\n');
    for (RunMount m : mounts) {
      sb.append("mount ").append(m.canonical()).append('\n');
      if (m.type() == RunMount.Type.BIND) {
        // What a bind mount shows is an input too (never so for secrets: their values stay out).
        sb.append("content ").append(new TreeCopier(bindTree(m), exec.env().checksums())
            .checksum(List.of(m.option("source", ".")))).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public void apply(Workspace ws) throws Exception {
    // Locked while the step runs, so prune and verify --repair remove it only once we are gone.
    TempDir scratchDir = exec.env().store().newTempDir("run-");
    Path tmp = scratchDir.path();
    List<FileLocks.Held> locks = new ArrayList<>();
    List<byte[]> secretValues = new ArrayList<>();
    try {
      ContainerSpec.Builder spec = ContainerSpec.builder()
          .lowerDirs(ws.snapshot().absoluteLowerDirsTopFirst())
          .layersRoot(ws.snapshot().layersRoot())
          .upperDir(ws.scratch().upperDir())
          .workDir(ws.scratch().workDir())
          .args(argv)
          .env(envList)
          .workingDir(workingDir)
          .user(user)
          .network(network)
          .limits(limits());
      if (script != null) {
        Path file = tmp.resolve("script");
        Files.writeString(file, script.content(), StandardCharsets.UTF_8);
        Files.setAttribute(file, "unix:mode", 0755);
        spec.addMount(new BindMount(file, "/dev/pipes/" + script.name(), true));
      }
      int n = 0;
      for (RunMount m : mounts) {
        if (m.type() == RunMount.Type.SECRET) {
          SecretMount secret = secret(m, secretValues);
          if (secret != null) {
            spec.addSecret(secret);
          }
          continue;
        }
        Path source = prepare(m, tmp.resolve("mount-" + n++), ws, locks);
        spec.addMount(new BindMount(source, m.target(), m.readOnly()));
      }
      StepOutput output = new StepOutput(exec.env().listener(), step.label());
      ExitStatus status;
      try (OutputStream out = output.stream(); OutputStream err = output.stream()) {
        status = exec.env().runner().get().run(spec.build(), out, err);
      } catch (RunnerException e) {
        throw exec.located(run, step.label() + ": " + e.getMessage(), e);
      }
      if (!status.success()) {
        throw new StepFailedException(exec.prefix(run) + step.label() + ": process \""
            + String.join(" ", argv) + "\" did not complete successfully: " + describe(status),
            status.exitCode(), output.tail());
      }
    } finally {
      for (byte[] value : secretValues) {
        Arrays.fill(value, (byte) 0);
      }
      for (FileLocks.Held lock : locks) {
        lock.close();
      }
      scratchDir.close();
    }
  }

  private ResourceLimits limits() {
    BuildOptions.Limits l = exec.env().options().limits();
    if (l.memoryBytes() == 0 && l.cpuQuotaMicros() == 0 && l.pidsMax() == 0) {
      return ResourceLimits.none();
    }
    return new ResourceLimits(l.memoryBytes(), l.cpuQuotaMicros(),
        l.cpuQuotaMicros() == 0 ? 0 : 100_000, l.pidsMax());
  }

  /**
   * Makes the host side of a mount: a cache directory kept across builds, a private copy of
   * context or stage files, or a fresh directory for tmpfs.
   *
   * @return the host path to bind
   */
  private Path prepare(RunMount m, Path scratch, Workspace ws, List<FileLocks.Held> locks)
      throws Exception {
    switch (m.type()) {
      case CACHE -> {
        String id = m.option("id", m.target());
        String sharing = m.option("sharing", "shared");
        if (sharing.equals("private")) {
          return Files.createDirectories(scratch);
        }
        Path root = exec.env().store().root().resolve("cache/mounts");
        Path dir = root.resolve(Digest.sha256(id).hex());
        if (sharing.equals("locked")) {
          locks.add(FileLocks.lock(root.resolve(Digest.sha256(id).hex() + ".lock")));
        }
        if (!Files.isDirectory(dir)) {
          Files.createDirectories(dir);
          Files.setAttribute(dir, "unix:uid", Integer.parseInt(m.option("uid", "0")));
          Files.setAttribute(dir, "unix:gid", Integer.parseInt(m.option("gid", "0")));
          Files.setAttribute(dir, "unix:mode", Integer.parseInt(m.option("mode", "755"), 8));
        }
        return dir;
      }
      case TMPFS -> {
        return Files.createDirectories(scratch);
      }
      default -> {
        return bindSource(m, scratch);
      }
    }
  }

  /**
   * The secret for a {@code type=secret} mount, its value read into memory only, or null to skip
   * an optional secret that was not given. Messages name the secret, never its value.
   *
   * @param toWipe receives the value's array, which the caller zeroes after the run
   */
  private SecretMount secret(RunMount m, List<byte[]> toWipe) throws Exception {
    String id = m.secretId();
    BuildOptions.Secret secret = exec.env().options().secrets().get(id);
    if (secret == null) {
      if ("true".equals(m.option("required", "false"))) {
        throw exec.located(run, "secret " + id + ": not provided (use --secret id=" + id
            + ",src=FILE)", null);
      }
      return null;
    }
    byte[] value;
    if (secret.file() != null) {
      long size = Files.size(secret.file());
      if (size > MAX_SECRET_BYTES) {
        throw exec.located(run, "secret " + id + ": " + secret.file() + " has " + size
            + " bytes; secrets may have at most " + MAX_SECRET_BYTES, null);
      }
      value = Files.readAllBytes(secret.file());
    } else {
      String v = System.getenv(secret.env());
      if (v == null) {
        throw exec.located(run, "secret " + id + ": environment variable " + secret.env()
            + " is not set", null);
      }
      value = v.getBytes(StandardCharsets.UTF_8);
    }
    toWipe.add(value);
    try {
      return new SecretMount(m.target(), m.secretEnv(), value,
          Integer.parseInt(m.option("uid", "0")), Integer.parseInt(m.option("gid", "0")),
          Integer.parseInt(m.option("mode", "400"), 8));
    } catch (IllegalArgumentException e) {
      throw exec.located(run, "secret " + id + ": " + e.getMessage(), e);
    }
  }

  /** A private copy of what a bind mount shows, so a read-write mount never changes the source. */
  private Path bindSource(RunMount m, Path scratch) throws Exception {
    FileSource source = bindTree(m);
    Files.createDirectories(scratch);
    UpperDirWriter writer = new UpperDirWriter(scratch, new LayeredRootfs(List.of(), p -> false));
    new TreeCopier(source, exec.env().checksums())
        .copy(List.of(m.option("source", ".")), "/content", writer, null, null);
    return scratch.resolve("content");
  }

  /** The tree a bind mount reads: the context, or the stage or image named by {@code from}. */
  private FileSource bindTree(RunMount m) throws Exception {
    String from = m.options().get("from");
    if (from == null) {
      return exec.env().context();
    }
    int stage = exec.plan().stageIndex(from, Integer.MAX_VALUE);
    LayeredRootfs rootfs = stage >= 0
        ? exec.rootfsOf(exec.stages().await(stage).layers())
        : exec.rootfsOf(exec.resolveImage(from, run).layers());
    return new RootfsSource(rootfs, stage >= 0 ? "stage " + from : "image " + from);
  }

  private static String describe(ExitStatus status) {
    if (status.oomKilled()) {
      return "exit code: " + status.exitCode() + " (RUN step killed: "
          + status.outOfMemoryDetail() + ")";
    }
    if (status.signal() != 0) {
      return "exit code: " + status.exitCode() + " (killed by signal " + status.signal() + ")";
    }
    return "exit code: " + status.exitCode();
  }

}
