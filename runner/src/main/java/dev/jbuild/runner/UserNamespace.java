package dev.jbuild.runner;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rootless mode (docs/runner.md §6): a non-root user with {@code /etc/subuid} and {@code
 * /etc/subgid} ranges runs the whole jbuild JVM as uid 0 of a user namespace, where extraction
 * with owners, overlayfs (with {@code userxattr}) and the per-run namespaces of rrun work as for
 * root, minus cgroups and the bridge network. The JVM cannot unshare a user namespace itself (it
 * is multithreaded), so {@link #run} starts a command through {@code rrun userns}, which unshares,
 * has newuidmap/newgidmap (Debian's {@code uidmap}) write the maps, and execs it: the way buildah
 * and podman re-exec themselves.
 */
public final class UserNamespace {
  /** Set for the command started by {@link #run}: it is the re-executed, rootless jbuild. */
  public static final String MARKER_ENV = "JBUILD_USERNS";

  private static final Path SUBUID = Path.of("/etc/subuid");
  private static final Path SUBGID = Path.of("/etc/subgid");
  private static final String IDENTITY_MAP = "0 0 4294967295";

  /**
   * The id maps of the namespace, in newuidmap's {@code inner outer count} form.
   *
   * @param uidMap the uid map: 0 is the user's own uid, 1.. the subordinate uids
   * @param gidMap the gid map, likewise
   * @param ids how many ids the namespace has (the smaller of the two maps)
   */
  public record IdMaps(String uidMap, String gidMap, long ids) {}

  private UserNamespace() {}

  /**
   * The maps for {@code user} from {@code /etc/subuid} and {@code /etc/subgid}, after checking
   * that newuidmap and newgidmap are installed.
   *
   * @throws RunnerException naming what is missing and how to add it
   */
  public static IdMaps idMaps(String user, long uid, long gid) throws RunnerException {
    for (String tool : List.of("newuidmap", "newgidmap")) {
      if (findOnPath(tool) == null) {
        throw new RunnerException("Tried to start rootless mode for user " + user + " but failed "
            + "because: " + tool + " is not installed. Install the package uidmap "
            + "(apt-get install uidmap), or run jbuild as root");
      }
    }
    return idMaps(user, uid, gid, read(SUBUID), read(SUBGID));
  }

  /** Like {@link #idMaps(String, long, long)} for given file contents (null: no such file). */
  static IdMaps idMaps(String user, long uid, long gid, String subuid, String subgid)
      throws RunnerException {
    List<SubordinateIds.Range> uids = SubordinateIds.ranges(subuid == null ? "" : subuid, user, uid);
    List<SubordinateIds.Range> gids = SubordinateIds.ranges(subgid == null ? "" : subgid, user, gid);
    if (uids.isEmpty() || gids.isEmpty()) {
      throw new RunnerException("Tried to start rootless mode for user " + user + " but failed "
          + "because: " + (uids.isEmpty() ? SUBUID : SUBGID) + " has no range for " + user
          + ". Add one as root (usermod --add-subuids 100000-165535 --add-subgids "
          + "100000-165535 " + user + "), or run jbuild as root");
    }
    return new IdMaps(SubordinateIds.map(uid, uids), SubordinateIds.map(gid, gids),
        1 + Math.min(SubordinateIds.total(uids), SubordinateIds.total(gids)));
  }

  /**
   * Runs {@code command} as uid/gid 0 of a new user and mount namespace with {@code maps}, with
   * this process's stdin, stdout and stderr, and {@link #MARKER_ENV} and {@code env} set; waits
   * for it. The rrun helper is extracted under {@code stateDir} first.
   *
   * @return the command's exit code
   * @throws RunnerException if the namespace could not be made (the kernel refused, newuidmap
   *     refused a range, ...): the command did not run
   */
  public static int run(Path stateDir, IdMaps maps, List<String> command, Map<String, String> env)
      throws RunnerException, InterruptedException {
    Path rrun = RrunBinary.extract(stateDir);
    Path status = null;
    try {
      status = Files.createTempFile("jbuild-userns-", ".status");
      List<String> argv = new ArrayList<>(List.of(rrun.toString(), "userns", status.toString(),
          maps.uidMap(), maps.gidMap(), "--"));
      argv.addAll(command);
      ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
      pb.environment().putAll(env);
      pb.environment().put(MARKER_ENV, "1");
      Process process = pb.start();
      int code;
      List<Object[]> previous = forwardSignals(process);
      try {
        code = process.waitFor();
      } catch (InterruptedException e) {
        process.destroy();
        throw e;
      } finally {
        restoreSignals(previous);
      }
      HelperStatus report = HelperStatus.parse(Files.readAllLines(status, StandardCharsets.UTF_8));
      if (report.failure != null) {
        throw new RunnerException("Tried to enter a user namespace for rootless mode but failed "
            + "because: " + report.failure.message(), "userns", report.failure.errno(), null);
      }
      return code;
    } catch (IOException e) {
      throw new RunnerException("Tried to start " + command.get(0) + " in a user namespace but "
          + "failed because: " + e, e);
    } finally {
      if (status != null) {
        try {
          Files.deleteIfExists(status);
        } catch (IOException e) {
          // A temp file of a few bytes.
        }
      }
    }
  }

  /**
   * While the command runs, this JVM must outlive it: the command dies with it (rrun sets
   * PR_SET_PDEATHSIG), and a Ctrl-C or SIGTERM that ended this JVM first would cut short the
   * command's own cleanup (containers, stubs, scratch dirs). So those signals are passed on to
   * the command instead (as SIGTERM, which jbuild handles like SIGINT), and this JVM waits.
   */
  @SuppressWarnings("removal")
  private static List<Object[]> forwardSignals(Process process) {
    List<Object[]> previous = new ArrayList<>();
    for (String name : List.of("INT", "TERM", "HUP")) {
      try {
        sun.misc.Signal signal = new sun.misc.Signal(name);
        previous.add(new Object[] {signal,
            sun.misc.Signal.handle(signal, s -> process.destroy())});
      } catch (IllegalArgumentException e) {
        // The JVM reserves this signal (e.g. with -Xrs); the default then applies.
      }
    }
    return previous;
  }

  private static void restoreSignals(List<Object[]> previous) {
    for (Object[] p : previous) {
      sun.misc.Signal.handle((sun.misc.Signal) p[0], (sun.misc.SignalHandler) p[1]);
    }
  }

  /**
   * True when this process is in a user namespace other than the host's (its uid map is not
   * the identity): then it is rootless even as uid 0, cannot write {@code trusted.*} xattrs,
   * cgroups or device nodes.
   */
  public static boolean isNested() {
    try {
      return !isIdentity(Files.readString(Path.of("/proc/self/uid_map")));
    } catch (IOException e) {
      return false;
    }
  }

  /** True for the initial namespace's uid map. */
  static boolean isIdentity(String uidMap) {
    return uidMap.strip().replaceAll("\\s+", " ").equals(IDENTITY_MAP);
  }

  private static String read(Path file) throws RunnerException {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      throw new RunnerException("Tried to read " + file + " for the subordinate ids of rootless "
          + "mode but failed because: " + e, e);
    }
  }

  private static Path findOnPath(String tool) {
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, tool);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
