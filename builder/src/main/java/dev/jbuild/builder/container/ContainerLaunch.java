package dev.jbuild.builder.container;

import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.snapshot.Snapshot;
import dev.jbuild.runner.BindMount;
import dev.jbuild.runner.ContainerSpec;
import dev.jbuild.runner.NetworkMode;
import dev.jbuild.runner.ResourceLimits;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a new container from an image runs ({@code jbuild run}, as {@code docker run}): the
 * image's config with the user's options applied. Also parses docker run's option values
 * (network, volumes, sizes, CPUs).
 *
 * @param entrypoint the entrypoint to run (empty if none)
 * @param cmd the arguments after the entrypoint
 * @param env the environment, {@code K=V}
 * @param workingDir the working directory
 * @param user the user, empty for root
 * @param hostname the container's host name
 * @param network the network mode
 * @param limits resource limits
 * @param mounts bind mounts
 */
public record ContainerLaunch(List<String> entrypoint, List<String> cmd, List<String> env,
    String workingDir, String user, String hostname, NetworkMode network, ResourceLimits limits,
    List<BindMount> mounts) {
  private static final Pattern SIZE =
      Pattern.compile("(?i)([0-9]+(?:\\.[0-9]+)?)\\s*([kmgtp]?)(i?b)?");

  /** Copies. */
  public ContainerLaunch {
    entrypoint = List.copyOf(entrypoint);
    cmd = List.copyOf(cmd);
    env = List.copyOf(env);
    mounts = List.copyOf(mounts);
  }

  /**
   * What the user asked for; nulls and empty lists mean "the image's".
   *
   * @param command the command and arguments after the image name
   * @param entrypoint {@code --entrypoint}: null keeps the image's, "" clears it
   * @param env {@code -e} values: {@code KEY=VALUE}, or {@code KEY} to copy it from this process
   * @param workingDir {@code -w}
   * @param user {@code -u}
   * @param hostname {@code --hostname}; null means the image ID's short form
   * @param network the network mode
   * @param limits resource limits
   * @param mounts {@code -v} bind mounts
   * @param tty {@code -t}: adds {@code TERM=xterm} unless the environment has TERM
   */
  public record Options(List<String> command, String entrypoint, List<String> env,
      String workingDir, String user, String hostname, NetworkMode network,
      ResourceLimits limits, List<BindMount> mounts, boolean tty) {}

  /**
   * Applies {@code options} to the image's config as docker run does.
   *
   * @param defaultHostname the host name when none is given (docker: the short container ID)
   * @throws IllegalArgumentException if there is no command to run, or for a bad {@code -e}
   */
  public static ContainerLaunch of(ContainerConfig config, String defaultHostname,
      Options options) {
    return of(config, defaultHostname, options, System::getenv);
  }

  /** Like {@link #of(ContainerConfig, String, Options)}, reading {@code -e KEY} from {@code hostEnv}. */
  static ContainerLaunch of(ContainerConfig config, String defaultHostname, Options options,
      UnaryOperator<String> hostEnv) {
    String ep = options.entrypoint();
    List<String> entry = ep != null
        ? ep.isEmpty() ? List.of() : List.of(ep)
        : config.entrypoint() == null ? List.of() : config.entrypoint();
    List<String> cmd = !options.command().isEmpty() ? options.command()
        : ep == null && config.cmd() != null ? config.cmd() : List.of();
    if (entry.isEmpty() && cmd.isEmpty()) {
      throw new IllegalArgumentException("no command specified: the image has no CMD or "
          + "ENTRYPOINT; give one after the image name");
    }
    List<String> envList = environment(config, options.env(), hostEnv);
    if (options.tty() && envList.stream().noneMatch(e -> e.startsWith("TERM="))) {
      envList.add("TERM=xterm"); // as docker run -t does
    }
    String wd = options.workingDir() != null ? options.workingDir()
        : config.workingDir() == null || config.workingDir().isEmpty() ? "/" : config.workingDir();
    String user = options.user() != null ? options.user()
        : config.user() == null ? "" : config.user();
    return new ContainerLaunch(entry, cmd, envList, wd, user,
        options.hostname() != null ? options.hostname() : defaultHostname, options.network(),
        options.limits(), options.mounts());
  }

  /** Entrypoint plus cmd: what the container executes. */
  public List<String> argv() {
    List<String> argv = new ArrayList<>(entrypoint);
    argv.addAll(cmd);
    return argv;
  }

  /** The spec over the image's {@code snapshot}, writing into {@code upperDir}. */
  public ContainerSpec spec(Snapshot snapshot, Path upperDir, Path workDir) {
    ContainerSpec.Builder spec = ContainerSpec.builder()
        .lowerDirs(snapshot.absoluteLowerDirsTopFirst())
        .layersRoot(snapshot.layersRoot())
        .upperDir(upperDir)
        .workDir(workDir)
        .args(argv())
        .env(env)
        .workingDir(workingDir)
        .user(user)
        .network(network)
        .limits(limits)
        .hostname(hostname);
    mounts.forEach(spec::addMount);
    return spec.build();
  }

  private static List<String> environment(ContainerConfig config, List<String> env,
      UnaryOperator<String> hostEnv) {
    Map<String, String> environment = new LinkedHashMap<>(config.envMap());
    for (String e : env) {
      int eq = e.indexOf('=');
      if (eq < 0) {
        String v = hostEnv.apply(e);
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

  /** {@code --network}: bridge (or default), none or host. */
  public static NetworkMode network(String mode) {
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
  public static BindMount volume(String spec) throws IOException {
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

  /**
   * Docker's sizes ({@code RAMInBytes}): a number with an optional binary unit (b, k, m, g, t, p;
   * kb/kib alike); a bare number is bytes.
   */
  public static long parseBytes(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid size '" + text + "': use e.g. 64m or 1g");
    }
    // Without a unit, indexOf("") + 1 would make it KiB; docker counts bytes.
    String unit = m.group(2).toLowerCase(Locale.ROOT);
    int shift = unit.isEmpty() ? 0 : "kmgtp".indexOf(unit) + 1;
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << (10 * shift)));
    return bytes.longValue();
  }

  /** {@code --cpus 1.5} → 150000 µs per 100000 µs period. */
  public static long cpuQuota(String text) {
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
