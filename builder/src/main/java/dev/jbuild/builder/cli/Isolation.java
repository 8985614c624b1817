package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.UserNamespace;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.ParseResult;

/**
 * Which isolation mode this jbuild runs containers in, chosen once at start from {@code
 * $JBUILD_ISOLATION} ({@code auto}, the default, {@code namespaces}, {@code rootless} or {@code
 * inplace}):
 *
 * <ul>
 *   <li>root of the host: the namespaces mode ({@code ContainerRunner}), nothing to do here;
 *   <li>root without CAP_SYS_ADMIN (a container with Docker's default capabilities and seccomp
 *       profile, a default Kubernetes pod): nothing can be mounted or unshared, so RUN steps run
 *       in place in this container's own root filesystem ({@code InPlaceContainerRunner}), as
 *       Kaniko does. That replaces the container's files, so {@code auto} picks it only in
 *       jbuild's executor image (marked by {@link #EXECUTOR_MARKER}); {@code inplace} forces it,
 *       and {@code $JBUILD_INPLACE_ROOT} names another root directory (a chroot, for tests);
 *   <li>a non-root user: rootless mode. Before a command that uses the store runs, the whole
 *       JVM is started again inside a user namespace ({@link UserNamespace}) where it is uid 0
 *       and the user's {@code /etc/subuid} range gives the other ids, as buildah and podman
 *       re-exec themselves; that JVM then sees {@link #rootless()}. Without ranges (or
 *       newuidmap), {@code auto} carries on as today and the first container fails with the
 *       reason ({@link #unavailable()}); {@code rootless} fails at once.
 * </ul>
 */
final class Isolation {
  /** The environment variable that picks the mode. */
  static final String ENV = "JBUILD_ISOLATION";
  /** The environment variable naming the in-place root ({@code /} by default). */
  static final String INPLACE_ROOT_ENV = "JBUILD_INPLACE_ROOT";
  /** The file jbuild's executor image carries: in-place mode may replace that root's files. */
  static final Path EXECUTOR_MARKER = Path.of("/jbuild/executor-image");

  /** Commands that neither use the store nor run containers: never re-executed. */
  private static final Set<String> STORELESS =
      Set.of("jbuild", "parse", "login", "logout", "help", "cds-training");
  private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();
  /** Why this non-root process could not enter rootless mode, or null. */
  private static volatile String unavailableReason;

  private Isolation() {}

  /**
   * Re-executes this command in a user namespace when this process is a non-root user in mode
   * {@code auto} or {@code rootless} and the command uses the store.
   *
   * @return the re-executed command's exit code, or null to run the command in this JVM
   */
  static Integer reexecIfNeeded(Main main, ParseResult parsed, String[] args, PrintStream err)
      throws InterruptedException {
    if (!usesStore(parsed)) {
      return null; // before the mode and the uid: --version and help stay as small as they can
    }
    String mode = mode();
    if (!mode.equals("auto") && !mode.equals("rootless") || Posix.isRoot()) {
      return null;
    }
    String user = System.getProperty("user.name");
    if (System.getenv(UserNamespace.MARKER_ENV) != null) {
      // The helper already ran us; being non-root still means the map left us without uid 0.
      return fail(err, "Tried to run jbuild as root of its user namespace but failed because: it "
          + "still runs as user " + user + " there");
    }
    try {
      long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
      long gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
      UserNamespace.IdMaps maps = UserNamespace.idMaps(user, uid, gid);
      return UserNamespace.run(main.storeRoot().resolve("runner"), maps, javaCommand(args),
          Map.of());
    } catch (RunnerException | IOException e) {
      if (mode.equals("rootless")) {
        return fail(err, e.getMessage());
      }
      // auto: what needs no container still works; the first container says why it cannot run.
      unavailableReason = e.getMessage();
      return null;
    }
  }

  private static String mode() {
    String mode = System.getenv(ENV);
    return mode == null || mode.isBlank() ? "auto" : mode.strip();
  }

  /**
   * True for in-place mode: {@code inplace} asked for, or {@code auto} as root that may not
   * mount (no CAP_SYS_ADMIN) inside jbuild's executor image.
   */
  static boolean inPlace() {
    String mode = mode();
    if (mode.equals("inplace")) {
      return true;
    }
    return mode.equals("auto") && cannotMount() && Files.exists(EXECUTOR_MARKER);
  }

  /** Root, outside a user namespace, without CAP_SYS_ADMIN: what Docker gives by default. */
  static boolean cannotMount() {
    return Posix.isRoot() && !Posix.inUserNamespace() && !Posix.hasSysAdmin();
  }

  /** The in-place root: {@code $JBUILD_INPLACE_ROOT}, else {@code /}. */
  static Path inPlaceRoot() {
    String root = System.getenv(INPLACE_ROOT_ENV);
    return root == null || root.isBlank() ? Path.of("/") : Path.of(root);
  }

  /** Prints, once per process and in one line, that in-place mode runs and what it lacks. */
  static void announceInPlace(PrintStream err) {
    if (ANNOUNCED.compareAndSet(false, true)) {
      err.println("jbuild: in-place mode (no namespaces or mounts allowed here): RUN steps run "
          + "one at a time in " + inPlaceRoot() + ", sharing this container's processes and "
          + "network; no cgroup limits, no --network none, no RUN --mount or secrets");
      err.flush();
    }
  }

  /** The error for root that may not mount outside the executor image: what to do instead. */
  static RunnerException cannotMountHere() {
    return new RunnerException("Tried to start a container but failed because: this process "
        + "may not mount or create namespaces (no CAP_SYS_ADMIN, e.g. Docker's default "
        + "security or a Kubernetes pod). RUN steps here need jbuild's executor image "
        + "(samples/ci), which runs them in place; or set " + ENV + "=inplace to let jbuild "
        + "replace this container's root filesystem");
  }

  /** True in the re-executed JVM: root of a user namespace of its own (rootless mode). */
  static boolean rootless() {
    return Posix.isRoot() && Posix.inUserNamespace();
  }

  /**
   * Prints, once per process and in one line, that rootless mode runs and what it lacks; with
   * {@code sharedProcesses} (a container masked /proc, so RUN steps bind it and get no PID
   * namespace, as BuildKit's --oci-worker-no-process-sandbox) that too.
   */
  static void announce(PrintStream err, boolean sharedProcesses) {
    if (ANNOUNCED.compareAndSet(false, true)) {
      err.println("jbuild: rootless mode (user namespace with your /etc/subuid range): no "
          + "cgroup limits (--memory, --cpu-quota, --pids-limit), no bridge network (RUN uses "
          + "the host network unless --network none), no device nodes (mknod)"
          + (sharedProcesses ? "; no PID namespace (this container masks /proc, so RUN steps "
              + "share its /proc, /sys and processes and can see and signal jbuild's)" : ""));
      err.flush();
    }
  }

  /** The error for a non-root process that has no rootless mode (why, and what to change). */
  static RunnerException unavailable() {
    String reason = unavailableReason;
    return new RunnerException(reason != null ? reason
        : "Tried to run a container as user " + System.getProperty("user.name") + " but failed "
            + "because: containers need root, or rootless mode ($" + ENV + "=auto or rootless "
            + "with /etc/subuid and /etc/subgid ranges)");
  }

  private static boolean usesStore(ParseResult parsed) {
    String leaf = "jbuild";
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
        return false;
      }
      leaf = p.commandSpec().name();
    }
    return !STORELESS.contains(leaf);
  }

  /**
   * This JVM's command line for the same arguments, with {@code user.name} and {@code
   * user.home} pinned: as uid 0 of the namespace the JVM would otherwise take root's from the
   * password file, and with them /var/lib/jbuild as the store and /root for Docker's config.
   */
  private static List<String> javaCommand(String[] args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-Duser.name=" + System.getProperty("user.name"));
    cmd.add("-Duser.home=" + System.getProperty("user.home"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static int fail(PrintStream err, String message) {
    err.println("error: " + ErrorHandler.printable(message));
    err.flush();
    return 1;
  }
}
