package dev.jbuild.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The in-place mode: for root in a container that may not mount or create namespaces (Docker's
 * default seccomp profile and capabilities, a default Kubernetes pod, a GitLab docker-executor
 * job). rrun runs the command directly in {@link #root()} ({@code /}, the container's own root,
 * in jbuild's executor image; chroot'ed into any other directory) as the spec's user, with
 * Docker's default capabilities, and kills what the command left running when it ends.
 *
 * <p>What this mode cannot give, and says so: no PID, network, mount or IPC isolation (the
 * command shares the container's), no cgroup limits, no {@code --network none}, no bind mounts,
 * secrets or terminal. Its own seccomp filter is not installed (it would need CAP_SYS_ADMIN);
 * the container's profile still applies.
 */
public final class InPlaceContainerRunner implements InPlaceRunner {
  /**
   * What a container's root holds that never belongs to an image: kernel file systems, the files
   * the container engine binds in, and jbuild's own directory in the executor image.
   */
  public static final List<String> HOST_PATHS = List.of("proc", "sys", "dev", "jbuild",
      "etc/hosts", "etc/hostname", "etc/resolv.conf", ".dockerenv", "run/.containerenv",
      "run/secrets");

  private final Path stateDir;
  private final Path rrun;
  private final RunDirs runDirs;
  private final Path root;
  private final List<String> hostPaths;
  private final List<String> volumes;

  private InPlaceContainerRunner(Path stateDir, Path rrun, Path root, List<String> hostPaths,
      List<String> volumes) {
    this.stateDir = stateDir;
    this.rrun = rrun;
    this.runDirs = new RunDirs(stateDir, true);
    this.root = root;
    this.hostPaths = List.copyOf(hostPaths);
    this.volumes = List.copyOf(volumes);
  }

  /**
   * A runner over {@code root}, keeping its files under {@code stateDir}.
   *
   * @param hostPaths paths under {@code root} that belong to the host besides {@link
   *     #HOST_PATHS} and the mount points below {@code root} (which are added), relative to it
   * @throws RunnerException if the state dir or the helper cannot be prepared
   */
  public static InPlaceContainerRunner create(Path stateDir, Path root, List<String> hostPaths)
      throws RunnerException {
    Path dir = stateDir.toAbsolutePath().normalize();
    try {
      RunDirs.ownerOnly(dir);
      Path absoluteRoot = root.toAbsolutePath().normalize();
      List<String> kept = new ArrayList<>(hostPaths);
      // Volumes (the build context, the store, credentials) are the host's too: a wipe of the
      // root must never reach into them.
      List<String> mounts = MountPoints.under(absoluteRoot, Path.of("/proc/self/mountinfo"));
      kept.addAll(mounts);
      InPlaceContainerRunner runner = new InPlaceContainerRunner(dir, RrunBinary.extract(dir),
          absoluteRoot, merged(absoluteRoot, kept), volumes(absoluteRoot, mounts, dir));
      RunDirs.ownerOnly(runner.runDirs.root());
      runner.runDirs.sweep();
      return runner;
    } catch (IOException e) {
      throw new RunnerException("Tried to create the runner's directory " + dir
          + " but failed because: " + e + ". Check that its parent is writable.", e);
    }
  }

  private static List<String> merged(Path root, List<String> extra) {
    List<String> all = new ArrayList<>();
    for (String p : HOST_PATHS) {
      // Only what is there: a kept path keeps its parents too, and an image's /run must not
      // survive a wipe just because this engine could have put .containerenv in it.
      if (Files.exists(root.resolve(p), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        all.add(p);
      }
    }
    for (String p : extra) {
      String rel = p.startsWith("/") ? p.substring(1) : p;
      if (!rel.isEmpty() && !all.contains(rel)) {
        all.add(rel);
      }
    }
    return all;
  }

  /**
   * The mount points that are the container's volumes: not below a {@link #HOST_PATHS} entry
   * (kernel file systems, /dev, the engine's /etc files, jbuild's dir) and not holding or inside
   * our state dir (jbuild writes there itself while a command runs).
   */
  static List<String> volumes(Path root, List<String> mounts, Path stateDir) {
    List<String> result = new ArrayList<>();
    for (String m : mounts) {
      Path point = root.resolve(m);
      boolean engine = HOST_PATHS.stream().anyMatch(h -> point.startsWith(root.resolve(h)));
      boolean ours = stateDir.startsWith(point) || point.startsWith(stateDir);
      if (!engine && !ours && !result.contains(m)) {
        result.add(m);
      }
    }
    return result;
  }

  @Override
  public Path root() {
    return root;
  }

  @Override
  public List<String> hostPaths() {
    return hostPaths;
  }

  @Override
  public List<String> volumes() {
    return volumes;
  }

  @Override
  public ExitStatus run(ContainerSpec spec, OutputStream stdout, OutputStream stderr)
      throws RunnerException, InterruptedException {
    return run(spec, new RrunInvocation.Io(Objects.requireNonNull(stdout),
        Objects.requireNonNull(stderr), false), null);
  }

  @Override
  public ExitStatus run(ContainerSpec spec, OutputStream stdout, OutputStream stderr,
      Duration timeout) throws RunnerException, InterruptedException {
    return run(spec, new RrunInvocation.Io(Objects.requireNonNull(stdout),
        Objects.requireNonNull(stderr), false), Objects.requireNonNull(timeout));
  }

  @Override
  public ExitStatus runAttached(ContainerSpec spec, boolean interactive, boolean tty)
      throws RunnerException, InterruptedException {
    if (tty) {
      throw new RunnerException("Tried to run " + RunOutcomes.commandForMessages(spec)
          + " with a terminal but failed because: in-place mode cannot make one (no mounts);"
          + " run without -t");
    }
    return run(spec, new RrunInvocation.Io(null, null, true, interactive), null);
  }

  @Override
  public void close() {}

  private ExitStatus run(ContainerSpec spec, RrunInvocation.Io io, Duration timeout)
      throws RunnerException, InterruptedException {
    check(spec);
    String runId = Owners.name(UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    Path runDir = runDirs.root().resolve(runId);
    try {
      Files.createDirectories(runDir);
      // In place, the command shares the container's network: "host" is what it really gets.
      ContainerSpec shared = spec.network() == NetworkMode.HOST ? spec : withHostNetwork(spec);
      byte[] json = RrunSpec.toJson(shared, new RrunSpec.Runtime(runDir.resolve("rootfs"),
          List.of(), List.of(), List.of(), null, false, DevicePolicy.none()));
      RrunInvocation.Outcome outcome = RrunInvocation.run(rrun, json,
          runDir.resolve("spec.json"), runDir.resolve("status"), io, timeout);
      return RunOutcomes.exitStatus(spec, outcome, null);
    } catch (IOException e) {
      throw new RunnerException("Tried to run " + RunOutcomes.commandForMessages(spec)
          + " in place but failed because: " + e, e);
    } finally {
      try {
        RunDirs.delete(runDir);
      } catch (IOException e) {
        // The next runner's sweep removes it (its name carries our pid).
      }
    }
  }

  /** What this mode cannot honour is an error naming the mode, never silently dropped. */
  private void check(ContainerSpec spec) throws RunnerException {
    String problem = null;
    if (!root.equals(spec.inPlaceRoot())) {
      problem = "the spec is not for this runner's root " + root;
    } else if (!spec.limits().equals(ResourceLimits.none())) {
      problem = "in-place mode cannot limit memory, CPU or processes (no writable cgroups here);"
          + " drop --memory/--cpu-quota/--pids-limit, or build as root on a host";
    } else if (spec.network() == NetworkMode.NONE) {
      problem = "in-place mode cannot isolate the network (no namespaces here): the step would"
          + " share the container's network; use --network=host (or default)";
    } else if (!spec.mounts().isEmpty() || !spec.secrets().isEmpty()) {
      problem = "in-place mode cannot mount anything, so bind mounts and secrets are refused";
    } else if (!spec.sandbox().extraHosts().isEmpty() || spec.sandbox().shmSizeBytes() != 0) {
      // The container's own /etc/hosts and /dev/shm are shared, never replaced, in place.
      problem = "in-place mode cannot give a step its own /etc/hosts or /dev/shm: drop"
          + " --add-host/--shm-size, or build as root on a host";
    }
    if (problem != null) {
      throw new RunnerException("Tried to run " + RunOutcomes.commandForMessages(spec)
          + " but failed because: " + problem);
    }
  }

  private static ContainerSpec withHostNetwork(ContainerSpec spec) {
    return new ContainerSpec(spec.lowerDirs(), spec.layersRoot(), spec.upperDir(),
        spec.workDir(), spec.args(), spec.env(), spec.workingDir(), spec.user(), spec.hostname(),
        NetworkMode.HOST, spec.mounts(), spec.limits(), spec.noNewPrivileges(), spec.seccomp(),
        spec.secrets(), spec.inPlaceRoot(), spec.sandbox(), spec.commandIsPid1(),
        spec.volatileUpper());
  }
}
