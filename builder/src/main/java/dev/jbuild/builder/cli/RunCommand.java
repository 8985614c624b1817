package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.snapshot.Scratch;
import dev.jbuild.layerstore.snapshot.Snapshot;
import dev.jbuild.runner.BindMount;
import dev.jbuild.runner.CommandRunner;
import dev.jbuild.runner.ContainerSpec;
import dev.jbuild.runner.ExitStatus;
import dev.jbuild.runner.NetworkMode;
import dev.jbuild.runner.ResourceLimits;
import dev.jbuild.runner.RunnerException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild run}: runs a command in a new container over an image's layers, attached to the
 * terminal, and exits with the command's exit code ({@code docker run}). Without {@code --rm} the
 * container's read-write layer is kept ({@code jbuild ps -a}, {@code rm}, {@code commit}).
 *
 * <p>Exit codes as docker's: the command's own, 125 if the container could not be started, 126
 * if the command cannot be executed, 127 if it was not found.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a command in a new container from an image.")
final class RunCommand implements Callable<Integer> {
  private static final Pattern SIZE =
      Pattern.compile("(?i)([0-9]+(?:\\.[0-9]+)?)\\s*([kmgtp]?)(i?b)?");

  @ParentCommand Main main;

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Option(names = "--rm", description = "Remove the container's read-write layer when it exits.")
  boolean remove;

  @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE",
      description = "Set an environment variable; KEY alone copies it from this environment.")
  List<String> env = new ArrayList<>();

  @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CONTAINER[:ro]",
      description = "Bind-mount a host directory or file (created as a directory if missing).")
  List<String> volumes = new ArrayList<>();

  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory.")
  String workdir;

  @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
      description = "User name or uid, resolved in the image's /etc/passwd.")
  String user;

  @Option(names = "--network", paramLabel = "MODE", defaultValue = "bridge",
      description = "bridge (default: private network with NAT), none (only lo) or host.")
  String network;

  @Option(names = {"-m", "--memory"}, paramLabel = "BYTES",
      description = "Memory limit, e.g. 64m or 1g (no swap beyond it).")
  String memory;

  @Option(names = "--cpus", paramLabel = "N", description = "CPU quota in CPUs, e.g. 0.5.")
  String cpus;

  @Option(names = "--pids-limit", paramLabel = "N", description = "Maximum number of processes.")
  long pidsLimit;

  @Option(names = "--hostname", paramLabel = "NAME", description = "Container host name.")
  String hostname;

  @Option(names = "--entrypoint", paramLabel = "CMD", description = "Override the entrypoint.")
  String entrypoint;

  @Option(names = {"-i", "--interactive"}, description = "Keep stdin attached.")
  boolean interactive;

  @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-terminal.")
  boolean tty;

  @Parameters(index = "0", paramLabel = "IMAGE") String imageName;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    NetworkMode mode = network(network);
    ResourceLimits limits = new ResourceLimits(memory == null ? 0 : parseBytes(memory),
        cpus == null ? 0 : cpuQuota(cpus), 0, pidsLimit);
    List<BindMount> mounts = new ArrayList<>();
    for (String v : volumes) {
      mounts.add(volume(v));
    }
    Session session = Session.open(main);
    // Holds off a concurrent `jbuild prune` until this command is done with its blobs.
    try (var lease = session.lease()) {
      Image image = session.image(imageName);
      ContainerConfig config = image.config().containerConfig();
      List<String> entry = entrypoint != null
          ? entrypoint.isEmpty() ? List.of() : List.of(entrypoint)
          : config.entrypoint() == null ? List.of() : config.entrypoint();
      List<String> cmd = !command.isEmpty() ? command
          : entrypoint == null && config.cmd() != null ? config.cmd() : List.of();
      List<String> argv = new ArrayList<>(entry);
      argv.addAll(cmd);
      if (argv.isEmpty()) {
        throw new IllegalArgumentException("no command specified: the image has no CMD or "
            + "ENTRYPOINT; give one after the image name");
      }
      List<String> envList = environment(config);
      if (tty && envList.stream().noneMatch(e -> e.startsWith("TERM="))) {
        envList.add("TERM=xterm"); // as docker run -t does
      }
      String wd = workdir != null ? workdir
          : config.workingDir() == null || config.workingDir().isEmpty() ? "/" : config.workingDir();
      String effectiveUser = user != null ? user : config.user() == null ? "" : config.user();
      Snapshot snapshot = session.store.snapshots().prepare(image.layers());
      ContainerSpec.Builder spec = ContainerSpec.builder()
          .lowerDirs(snapshot.absoluteLowerDirsTopFirst())
          .layersRoot(snapshot.layersRoot())
          .args(argv)
          .env(envList)
          .workingDir(wd)
          .user(effectiveUser)
          .network(mode)
          .limits(limits)
          .hostname(hostname != null ? hostname : image.id().shortHex());
      mounts.forEach(spec::addMount);
      if (remove) {
        try (Scratch scratch = session.store.snapshots().newScratch()) {
          return run(session, spec.upperDir(scratch.upperDir()).workDir(scratch.workDir()).build());
        }
      }
      ContainerStore containers = new ContainerStore(session.root);
      ContainerStore.Record record = containers.create(imageName, image.manifestDigest().toString(),
          image.id().toString(), entry, cmd, envList, wd, effectiveUser);
      int code = 125;
      try {
        code = run(session, spec.upperDir(containers.upperDir(record))
            .workDir(containers.workDir(record)).build());
        return code;
      } finally {
        containers.save(record.finish(code));
      }
    }
  }

  private int run(Session session, ContainerSpec spec) throws InterruptedException {
    try (CommandRunner runner = session.runner()) {
      ExitStatus status = runner.runAttached(spec, interactive, tty);
      if (status.oomKilled()) {
        commandSpec.commandLine().getErr().println("jbuild: container killed: "
            + status.outOfMemoryDetail());
        commandSpec.commandLine().getErr().flush();
      }
      return status.exitCode();
    } catch (RunnerException e) {
      // docker run's conventions: 127 not found, 126 not executable, 125 anything else.
      commandSpec.commandLine().getErr().println("error: " + e.getMessage());
      commandSpec.commandLine().getErr().flush();
      if (e.commandNotFound()) {
        return 127;
      }
      return "exec".equals(e.stage()) ? 126 : 125;
    }
  }

  private List<String> environment(ContainerConfig config) {
    Map<String, String> environment = new LinkedHashMap<>(config.envMap());
    for (String e : env) {
      int eq = e.indexOf('=');
      if (eq < 0) {
        String v = System.getenv(e);
        if (v != null) {
          environment.put(e, v);
        }
      } else if (eq == 0) {
        throw new IllegalArgumentException("invalid environment variable: " + e);
      } else {
        environment.put(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    List<String> envList = new ArrayList<>();
    environment.forEach((k, v) -> envList.add(k + "=" + v));
    return envList;
  }

  static NetworkMode network(String mode) {
    switch (mode) {
      case "bridge":
      case "default":
        return NetworkMode.BRIDGE;
      case "none":
        return NetworkMode.NONE;
      case "host":
        return NetworkMode.HOST;
      default:
        throw new IllegalArgumentException("invalid --network '" + mode
            + "': expected bridge, none or host");
    }
  }

  /** {@code HOST:CONTAINER[:ro|rw]}; a missing host path is created as a directory (docker). */
  static BindMount volume(String spec) throws IOException {
    String[] parts = spec.split(":", -1);
    boolean readOnly = false;
    if (parts.length == 3) {
      if (parts[2].equals("ro")) {
        readOnly = true;
      } else if (!parts[2].equals("rw")) {
        throw new IllegalArgumentException("invalid volume '" + spec + "': the mode must be ro "
            + "or rw");
      }
    } else if (parts.length != 2) {
      throw new IllegalArgumentException("invalid volume '" + spec + "': expected "
          + "HOST:CONTAINER[:ro] (named volumes are not supported)");
    }
    if (!parts[0].startsWith("/") || !parts[1].startsWith("/")) {
      throw new IllegalArgumentException("invalid volume '" + spec + "': both paths must be "
          + "absolute");
    }
    Path host = Path.of(parts[0]);
    if (!Files.exists(host)) {
      Files.createDirectories(host);
    }
    return new BindMount(host, parts[1], readOnly);
  }

  /** Docker's sizes: a number with an optional binary unit (b, k, m, g, t, p; kb/kib alike). */
  static long parseBytes(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid size '" + text + "': use e.g. 64m or 1g");
    }
    int shift = "kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << (10 * shift)));
    return bytes.longValue();
  }

  /** {@code --cpus 1.5} → 150000 µs per 100000 µs period. */
  static long cpuQuota(String text) {
    BigDecimal n;
    try {
      n = new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid --cpus '" + text + "': use e.g. 0.5 or 2");
    }
    if (n.signum() < 0) {
      throw new IllegalArgumentException("invalid --cpus '" + text + "': must not be negative");
    }
    return n.multiply(BigDecimal.valueOf(100_000)).longValue();
  }
}
