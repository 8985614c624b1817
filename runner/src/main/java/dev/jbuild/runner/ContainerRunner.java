package dev.jbuild.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Runs commands in containers (Dockerfile RUN steps) through the bundled static helper
 * {@code rrun}: new mount, pid, uts, ipc (and, for {@link NetworkMode#NONE}, network) namespaces,
 * an overlay root over the given layers, Docker's default mounts, capabilities and masked paths,
 * the command as PID 2 under a reaping PID 1. The JVM itself never forks or unshares.
 *
 * <p>Each run generates /etc/hosts, /etc/resolv.conf and /etc/hostname in a per-run directory
 * under the state dir and bind-mounts them read-only. After the run, mount-point stubs the
 * helper had to create (e.g. an empty /etc/hosts when the image has none) are removed from the
 * upperdir, so the upperdir holds exactly the command's changes.
 *
 * <p>Requires root (real namespaces and overlayfs). Thread-safe: runs are independent.
 */
public final class ContainerRunner {
  private final Path stateDir;
  private final Path rrun;

  private ContainerRunner(Path stateDir, Path rrun) {
    this.stateDir = stateDir;
    this.rrun = rrun;
  }

  /**
   * Prepares a runner keeping its files under {@code stateDir}: the helper at
   * {@code bin/rrun-<sha256>} (extracted, or re-extracted if its content does not match) and
   * per-run scratch dirs under {@code runs/}.
   */
  public static ContainerRunner create(Path stateDir) throws RunnerException {
    Path dir = stateDir.toAbsolutePath().normalize();
    return new ContainerRunner(dir, RrunBinary.extract(dir));
  }

  /** The extracted helper binary. */
  public Path helperPath() {
    return rrun;
  }

  /**
   * Runs the command with stdin from /dev/null and its output copied to the given streams
   * (which are not closed). Blocks until the container's command exits.
   *
   * @throws RunnerException if the container could not be set up or the command not started
   *     (see {@link RunnerException#stage()})
   * @throws InterruptedException if interrupted; the container has then been killed and cleaned up
   */
  public ExitStatus run(ContainerSpec spec, OutputStream stdout, OutputStream stderr)
      throws RunnerException, InterruptedException {
    return run(spec, new RrunInvocation.Io(Objects.requireNonNull(stdout),
        Objects.requireNonNull(stderr), false), null);
  }

  /**
   * Like {@link #run(ContainerSpec, OutputStream, OutputStream)}, but kills the container and
   * throws a {@link RunnerException} if it has not finished within {@code timeout}.
   */
  public ExitStatus run(ContainerSpec spec, OutputStream stdout, OutputStream stderr,
      Duration timeout) throws RunnerException, InterruptedException {
    return run(spec, new RrunInvocation.Io(Objects.requireNonNull(stdout),
        Objects.requireNonNull(stderr), false), Objects.requireNonNull(timeout));
  }

  /**
   * Runs the command attached to this JVM's own stdin, stdout and stderr (for an interactive
   * {@code jbuild run -i}). No pseudo-terminal is allocated.
   */
  public ExitStatus runAttached(ContainerSpec spec) throws RunnerException, InterruptedException {
    return run(spec, new RrunInvocation.Io(null, null, true), null);
  }

  private ExitStatus run(ContainerSpec spec, RrunInvocation.Io io, Duration timeout)
      throws RunnerException, InterruptedException {
    String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Path runDir = stateDir.resolve("runs").resolve(runId);
    Cgroup cgroup = null;
    HelperStatus status = null;
    RunnerException failure = null;
    try {
      List<BindMount> mounts = prepareRunDir(spec, runDir);
      if (!spec.limits().isUnlimited()) {
        cgroup = Cgroup.create("run-" + runId, spec.limits());
      }
      Path specFile = runDir.resolve("spec.json");
      Path statusFile = runDir.resolve("status");
      Files.write(specFile, RrunSpec.toJson(spec, runDir.resolve("rootfs"), mounts,
          cgroup == null ? List.of() : cgroup.procsFiles()));
      RrunInvocation.Outcome outcome = RrunInvocation.run(rrun, specFile, statusFile, io, timeout);
      status = outcome.status();
      return exitStatus(spec, outcome, cgroup);
    } catch (IOException e) {
      failure = new RunnerException("Tried to run " + commandForMessages(spec)
          + " in a container but failed because: " + e, e);
      throw failure;
    } catch (RunnerException e) {
      failure = e;
      throw e;
    } finally {
      if (status == null) {
        // Interrupted or failed before we read the report: the stubs must still be removed.
        status = readStatusQuietly(runDir.resolve("status"));
      }
      cleanUp(spec, runDir, status, cgroup, failure);
    }
  }

  private static HelperStatus readStatusQuietly(Path statusFile) {
    try {
      return Files.exists(statusFile)
          ? HelperStatus.parse(Files.readAllLines(statusFile, StandardCharsets.UTF_8)) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Writes hosts, resolv.conf and hostname; returns all bind mounts, generated ones first. */
  private static List<BindMount> prepareRunDir(ContainerSpec spec, Path runDir) throws IOException {
    Files.createDirectories(runDir.resolve("rootfs"));
    Path etc = Files.createDirectories(runDir.resolve("etc"));
    Path hosts = Files.writeString(etc.resolve("hosts"), EtcFiles.hosts(spec.hostname()));
    Path resolv = Files.writeString(etc.resolve("resolv.conf"),
        EtcFiles.resolvConf(EtcFiles.hostResolvConf(), spec.network()), StandardCharsets.UTF_8);
    Path hostname = Files.writeString(etc.resolve("hostname"), EtcFiles.hostname(spec.hostname()));
    List<BindMount> mounts = new ArrayList<>();
    mounts.add(new BindMount(hosts, "/etc/hosts", true));
    mounts.add(new BindMount(resolv, "/etc/resolv.conf", true));
    mounts.add(new BindMount(hostname, "/etc/hostname", true));
    mounts.addAll(spec.mounts());
    return mounts;
  }

  private static ExitStatus exitStatus(ContainerSpec spec, RrunInvocation.Outcome outcome,
      Cgroup cgroup) throws RunnerException {
    HelperStatus status = outcome.status();
    String command = commandForMessages(spec);
    if (outcome.timedOut()) {
      throw new RunnerException("Tried to run " + command + " but it did not finish in time, so "
          + "the container was killed. Raise the timeout if the step legitimately takes longer.");
    }
    if (status.failure != null) {
      HelperStatus.Failure f = status.failure;
      String detail = f.stage() + ": " + f.message() + (f.errno() != 0 ? " (errno " + f.errno() + ")" : "");
      String message = "exec".equals(f.stage())
          ? "Tried to run " + command + " in the container but failed because: " + detail
          : "Tried to start the container for " + command + " but failed because: " + detail;
      throw new RunnerException(message, f.stage(), f.errno(), null);
    }
    boolean oom = cgroup != null && cgroup.oomKilled();
    if (status.commandKilledBy != null) {
      return new ExitStatus(128 + status.commandKilledBy, status.commandKilledBy, oom);
    }
    if (status.exit != null) {
      return new ExitStatus(status.exit, 0, oom);
    }
    if (status.signal != null) {
      return new ExitStatus(128 + status.signal, status.signal, oom);
    }
    throw new RunnerException("Tried to run " + command + " but the container helper ended "
        + "without reporting a status (exit code " + outcome.helperExitCode() + ")");
  }

  private void cleanUp(ContainerSpec spec, Path runDir, HelperStatus status, Cgroup cgroup,
      RunnerException primary) throws RunnerException {
    List<Exception> problems = new ArrayList<>();
    if (status != null && !status.stubs.isEmpty()) {
      try {
        StubCleaner.clean(spec.upperDir().toAbsolutePath().normalize(), status.stubs);
      } catch (IOException e) {
        problems.add(e);
      }
    }
    if (cgroup != null) {
      try {
        cgroup.remove();
      } catch (RunnerException e) {
        problems.add(e);
      }
    }
    try {
      deleteRecursively(runDir);
    } catch (IOException e) {
      problems.add(e);
    }
    if (problems.isEmpty()) {
      return;
    }
    if (primary != null) {
      problems.forEach(primary::addSuppressed);
      return;
    }
    RunnerException e = new RunnerException("Tried to clean up after running "
        + commandForMessages(spec) + " but failed because: " + problems.get(0).getMessage()
        + (problems.get(0) instanceof RunnerException ? "" : ". The upperdir may still contain "
        + "mount-point stubs; do not commit it as a layer."), problems.get(0));
    problems.stream().skip(1).forEach(e::addSuppressed);
    throw e;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  static String commandForMessages(ContainerSpec spec) {
    String joined = String.join(" ", spec.args());
    return "[" + (joined.length() > 200 ? joined.substring(0, 200) + "…" : joined) + "]";
  }
}
