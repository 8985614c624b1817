package dev.jbuild.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs commands in containers (Dockerfile RUN steps, {@code jbuild run}) through the bundled
 * static helper {@code rrun}: new mount, pid, uts, ipc, cgroup and (unless {@link
 * NetworkMode#HOST}) network namespaces, an overlay root over the given layers, Docker's default
 * mounts, capabilities, masked paths and seccomp filter, a cgroup per container with runc's
 * default device rules ({@link DevicePolicy}), and the command as PID 2 under a reaping PID 1.
 * The JVM itself never forks or unshares.
 *
 * <p>Each run generates /etc/hosts, /etc/resolv.conf and /etc/hostname in a per-run directory
 * under the state dir and bind-mounts them read-only. After the run, mount-point stubs the
 * helper had to create (e.g. an empty /etc/hosts when the image has none) are removed from the
 * upperdir, so the upperdir holds exactly the command's changes.
 *
 * <p>Cleanup: after every run, whatever its outcome (failure, timeout, interrupt), the container's
 * processes are killed through its cgroup, the cgroup removed, and its network namespace returned
 * to the pool. A JVM shutdown (Ctrl-C) does the same for runs in flight and destroys the pool. If
 * the JVM is killed outright, rrun and the container die with it (PR_SET_PDEATHSIG) and {@link
 * #create} later removes the cgroups, namespaces and scratch dirs such crashed runs left; each
 * is named after the pid of the JVM that made it ({@code run-<pid>-<id>}, {@code
 * jbuild-<pid>-<n>}).
 *
 * <p>The namespaces isolation mode of {@link CommandRunner}. Requires root (real namespaces,
 * overlayfs and cgroups), or, made by {@link #createRootless}, root of a user namespace (see
 * {@link UserNamespace}): the same containers without cgroups (so without limits) and without
 * the bridge network. Thread-safe: runs are independent.
 * {@link #close()} tears down the pooled bridge namespaces.
 */
public final class ContainerRunner implements CommandRunner {
  private static final Set<ContainerRunner> OPEN = ConcurrentHashMap.newKeySet();
  private static final Object HOOK_LOCK = new Object();
  private static boolean hookInstalled;

  private final Path stateDir;
  private final RunDirs runDirs;
  private final Path rrun;
  private final CgroupHost cgroups;
  private final BridgeNetwork bridge;
  /** Root of a user namespace: no cgroups, no bridge, overlay with userxattr (§6). */
  private final boolean rootless;
  /** Rootless where no new proc may be mounted: containers bind /proc, no PID namespace. */
  private final boolean boundProc;
  /** The --cgroup-parent values used, for {@link #sweepStale}. */
  private final CgroupParents cgroupParents;
  private final Set<ActiveRun> active = ConcurrentHashMap.newKeySet();
  /** False only in tests that force the no-device-cgroup fallback of {@link DevicePolicy}. */
  private volatile boolean deviceCgroups = true;

  /** What a run in flight holds, for cleanup by a shutdown hook. */
  private static final class ActiveRun {
    volatile Cgroup cgroup;
  }

  private ContainerRunner(Path stateDir, Path rrun, CgroupHost cgroups, boolean shareNetworks) {
    this.bridge = new BridgeNetwork(shareNetworks);
    this.stateDir = stateDir;
    this.rootless = cgroups == null;
    this.boundProc = rootless && ProcVisibility.masked(Path.of("/proc/self/mountinfo"));
    this.runDirs = new RunDirs(stateDir, rootless);
    this.cgroupParents = new CgroupParents(stateDir);
    this.rrun = rrun;
    this.cgroups = cgroups;
  }

  /**
   * Prepares a runner keeping its files under {@code stateDir}: the helper at
   * {@code bin/rrun-<sha256>} (extracted, or re-extracted if its content does not match) and
   * per-run scratch dirs (status, generated /etc files, the rootfs mount point; the spec goes to
   * rrun over a pipe, never a file, unless stdin is attached) under
   * {@code /run/jbuild/runs/}, a tmpfs where creating and deleting them is cheap, or under
   * {@code runs/} if the host has no {@code /run}. Removes what crashed runs of dead JVMs left behind
   * (see the class comment).
   */
  public static ContainerRunner create(Path stateDir) throws RunnerException {
    return create(stateDir, false);
  }

  /**
   * Like {@link #create(Path)}; with {@code shareNetworks} the bridge network namespaces are
   * claimed from a machine-wide pool that outlives this process (the CLI does this, so a build
   * does not spend ~0.3 s setting one up and tearing it down); {@link #destroySharedNetworks}
   * removes the idle ones.
   */
  public static ContainerRunner create(Path stateDir, boolean shareNetworks)
      throws RunnerException {
    CgroupHost host;
    try {
      host = CgroupHost.detect();
    } catch (IOException e) {
      throw new RunnerException("Tried to find the cgroup file system at " + CgroupHost.ROOT
          + " but failed because: " + e + ". Containers need cgroups (v1, v2 or hybrid).", e);
    }
    return create(stateDir, host, shareNetworks);
  }

  /**
   * A runner for rootless mode: this process must be root of a user namespace that maps the
   * ids its images use ({@link UserNamespace#isNested()}). Containers get the same namespaces,
   * overlay root (with {@code userxattr}), mounts, capabilities and seccomp filter as with
   * {@link #create(Path)}, the default device nodes bound from the host, and no cgroup: a spec
   * with {@link ResourceLimits} or {@link NetworkMode#BRIDGE} is refused, as neither can be
   * honoured. Run dirs go under {@code $XDG_RUNTIME_DIR/jbuild/runs} or {@code stateDir/runs}.
   *
   * @throws RunnerException if this process is not root of a user namespace, or the state dir
   *     cannot be prepared
   */
  public static ContainerRunner createRootless(Path stateDir) throws RunnerException {
    if (!UserNamespace.isNested()) {
      throw new RunnerException("Tried to start the rootless container runner but failed "
          + "because: this process is not in a user namespace of its own");
    }
    return create(stateDir, null, false);
  }

  /**
   * True when containers share this process's PID namespace, {@code /proc} and {@code /sys}:
   * rootless mode where a container runtime masked {@code /proc}, so that no new proc can be
   * mounted (a non-root user inside {@code docker run}). RUN steps then see, and with {@code
   * CAP_KILL} may signal, the processes of this container, jbuild's included.
   */
  public boolean sharesProcesses() {
    return boundProc;
  }

  /** With a given cgroup layout (tests run the v2 code path on a hybrid host's unified tree). */
  static ContainerRunner create(Path stateDir, CgroupHost host) throws RunnerException {
    return create(stateDir, host, false);
  }

  private static ContainerRunner create(Path stateDir, CgroupHost host, boolean shareNetworks)
      throws RunnerException {
    Path dir = stateDir.toAbsolutePath().normalize();
    try {
      RunDirs.ownerOnly(dir);
    } catch (IOException e) {
      throw new RunnerException("Tried to create the runner's directory " + dir
          + " but failed because: " + e + ". Check that its parent is writable.", e);
    }
    ContainerRunner runner =
        new ContainerRunner(dir, RrunBinary.extract(dir), host, shareNetworks);
    try {
      RunDirs.ownerOnly(runner.runDirs.root());
    } catch (IOException e) {
      throw new RunnerException("Tried to create " + runner.runDirs.root() + " for the containers' "
          + "scratch dirs but failed because: " + e, e);
    }
    runner.sweepStale();
    synchronized (HOOK_LOCK) {
      if (!hookInstalled) {
        Runtime.getRuntime().addShutdownHook(new Thread(ContainerRunner::shutdownAll,
            "jbuild-runner-cleanup"));
        hookInstalled = true;
      }
    }
    OPEN.add(runner);
    return runner;
  }

  /**
   * For tests: run containers as if no device cgroup could be used, i.e. without CAP_MKNOD and
   * with a nodev rootfs ({@link DevicePolicy.Enforcement#NONE}).
   */
  void disableDevicePolicy() {
    deviceCgroups = false;
  }

  /** The extracted helper binary. */
  public Path helperPath() {
    return rrun;
  }

  /**
   * Removes leftovers of crashed runs: cgroups, bridge namespaces (with their veths, IP
   * allocations and iptables rules) and scratch dirs whose owning JVM is gone. Runs at
   * {@link #create}; safe to call any time, as it never touches live owners.
   *
   * @return the names removed (for logs and tests)
   */
  public List<String> sweepStale() {
    List<String> removed = new ArrayList<>();
    if (!rootless) {
      // Also under the --cgroup-parent values runs from this state dir used: a crashed run
      // leaves its cgroup there. Only names of our exact form, whose owner JVM is gone.
      removed.addAll(Cgroup.sweep(cgroups, cgroupParents.list(),
          name -> CgroupParents.RUN_CGROUP.matcher(name).matches()
              && Owners.isStale(name.substring(4))));
      removed.addAll(BridgeNetwork.sweep());
    }
    removed.addAll(runDirs.sweep());
    return removed;
  }

  /**
   * Runs the command with stdin from /dev/null and its output copied to the given streams
   * (which are not closed). Blocks until the container's command exits.
   *
   * @throws RunnerException if the container could not be set up or the command not started
   *     (see {@link RunnerException#stage()})
   * @throws InterruptedException if interrupted; the container has then been killed and cleaned up
   */
  @Override
  public ExitStatus run(ContainerSpec spec, OutputStream stdout, OutputStream stderr)
      throws RunnerException, InterruptedException {
    return run(spec, new RrunInvocation.Io(Objects.requireNonNull(stdout),
        Objects.requireNonNull(stderr), false), null, false);
  }

  /**
   * Like {@link #run(ContainerSpec, OutputStream, OutputStream)}, but kills the container and
   * throws a {@link RunnerException} if it has not finished within {@code timeout}.
   */
  @Override
  public ExitStatus run(ContainerSpec spec, OutputStream stdout, OutputStream stderr,
      Duration timeout) throws RunnerException, InterruptedException {
    return run(spec, new RrunInvocation.Io(Objects.requireNonNull(stdout),
        Objects.requireNonNull(stderr), false), Objects.requireNonNull(timeout), false);
  }

  /**
   * Runs the command attached to this JVM's own stdin, stdout and stderr (for an interactive
   * {@code jbuild run -i}). No pseudo-terminal is allocated.
   */
  public ExitStatus runAttached(ContainerSpec spec) throws RunnerException, InterruptedException {
    return runAttached(spec, true, false);
  }

  /**
   * Runs the command attached to this JVM's stdout and stderr, and its stdin if {@code
   * interactive} ({@code jbuild run -i}; else stdin is /dev/null). With {@code tty} ({@code -t})
   * the command gets a pseudo-terminal of its own, relayed by the container's PID 1, and this
   * process's terminal (if stdin is one) is in raw mode meanwhile, so Ctrl-C reaches the command
   * as a character, as with {@code docker run -it}.
   */
  @Override
  public ExitStatus runAttached(ContainerSpec spec, boolean interactive, boolean tty)
      throws RunnerException, InterruptedException {
    return run(spec, new RrunInvocation.Io(null, null, true, interactive), null, tty);
  }

  /**
   * Removes the machine-wide shared bridge namespaces that no process is using.
   *
   * @return the names removed
   */
  public static List<String> destroySharedNetworks() {
    return BridgeNetwork.destroyShared();
  }

  /** Tears down the pooled bridge network namespaces. Runs in flight are not affected. */
  @Override
  public void close() {
    OPEN.remove(this);
    bridge.close();
  }

  private static void shutdownAll() {
    for (ContainerRunner runner : OPEN) {
      for (ActiveRun run : runner.active) {
        Cgroup cgroup = run.cgroup;
        if (cgroup != null) {
          cgroup.kill();
          try {
            cgroup.remove();
          } catch (RunnerException e) {
            // The next runner's sweep removes it.
          }
        }
      }
      runner.bridge.close();
    }
  }

  private void rememberCgroupParent(String parent) throws RunnerException {
    try {
      cgroupParents.remember(parent);
    } catch (IOException e) {
      throw new RunnerException("Tried to record the cgroup parent '" + parent + "' in "
          + stateDir + " but failed because: " + e + ". Check that the directory is writable.",
          e);
    }
  }

  /** Package-private for tests: a pseudo-terminal relayed to streams. */
  ExitStatus run(ContainerSpec spec, RrunInvocation.Io io, Duration timeout, boolean tty)
      throws RunnerException, InterruptedException {
    String runId = Owners.name(UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    Path runDir = runDirs.root().resolve(runId);
    ActiveRun activeRun = new ActiveRun();
    active.add(activeRun);
    Cgroup cgroup = null;
    BridgeNetwork.Namespace netns = null;
    HelperStatus status = null;
    RunnerException failure = null;
    byte[] json = null;
    try {
      if (!spec.secrets().isEmpty() && io.attached() && io.interactive()) {
        throw new RunnerException("Tried to run " + RunOutcomes.commandForMessages(spec)
            + " with secrets but failed because: secrets reach the container only over a pipe, "
            + "which an interactive run's stdin cannot be; run it without -i");
      }
      if (rootless) {
        checkRootless(spec);
      }
      List<BindMount> mounts = RunDirs.prepare(spec, runDir);
      if (!rootless) {
        if (spec.limits().cgroupParent() != null) {
          rememberCgroupParent(spec.limits().cgroupParent());
        }
        cgroup = Cgroup.create(cgroups, "run-" + runId, spec.limits(), deviceCgroups);
        activeRun.cgroup = cgroup;
      }
      if (spec.network() == NetworkMode.BRIDGE) {
        netns = bridge.acquire();
      }
      Path specFile = runDir.resolve("spec.json");
      Path statusFile = runDir.resolve("status");
      json = RrunSpec.toJson(spec, rootless
          ? new RrunSpec.Runtime(runDir.resolve("rootfs"), mounts, List.of(), List.of(), null,
              tty, DevicePolicy.none(), true, boundProc)
          : new RrunSpec.Runtime(runDir.resolve("rootfs"), mounts, cgroup.procsFiles(),
              cgroup.containerMounts(), netns == null ? null : netns.path(), tty,
              cgroup.devicePolicy()));
      RrunInvocation.Outcome outcome =
          RrunInvocation.run(rrun, json, specFile, statusFile, io, timeout);
      status = outcome.status();
      return RunOutcomes.exitStatus(spec, outcome, cgroup);
    } catch (IOException e) {
      failure = new RunnerException("Tried to run " + RunOutcomes.commandForMessages(spec)
          + " in a container but failed because: " + e, e);
      throw failure;
    } catch (RunnerException e) {
      failure = e;
      throw e;
    } finally {
      if (json != null) {
        java.util.Arrays.fill(json, (byte) 0); // it may hold secrets
      }
      if (status == null) {
        // Interrupted or failed before we read the report: the stubs must still be removed.
        status = RunDirs.readStatusQuietly(runDir.resolve("status"));
      }
      try {
        RunCleanup.after(spec, runDir, status, cgroup, bridge, netns, failure);
      } finally {
        active.remove(activeRun);
      }
    }
  }

  /** What rootless mode cannot honour is an error, never silently dropped (issue #12). */
  private static void checkRootless(ContainerSpec spec) throws RunnerException {
    if (!spec.limits().isUnlimited() || spec.limits().cpuPeriodMicros() != 0
        || spec.limits().cgroupParent() != null) {
      throw new RunnerException("Tried to run " + RunOutcomes.commandForMessages(spec)
          + " with resource limits but failed because: rootless mode (a non-root user) cannot "
          + "write cgroups, so it cannot limit memory, CPU or processes. Run jbuild as root, or "
          + "drop the limits");
    }
    if (spec.network() == NetworkMode.BRIDGE) {
      throw new RunnerException("Tried to run " + RunOutcomes.commandForMessages(spec)
          + " on the bridge network but failed because: rootless mode (a non-root user) cannot "
          + "create the host bridge and its veth pairs (slirp4netns is not supported yet). Use "
          + "--network none or --network host, or run jbuild as root");
    }
  }
}
