package dev.jbuild.runner;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The cgroup of one container (docs/runner.md §3), on every host layout of {@link CgroupHost}.
 * Every run gets one, limits or not: it is what lets us kill every process of the container in
 * one step, tells us about OOM kills, and is the root the container sees under /sys/fs/cgroup.
 *
 * <p>Layout: {@code <hierarchy>/jbuild/<name>} in the v1 memory, pids, cpu and devices
 * hierarchies (legacy and hybrid hosts), plus {@code <unified>/jbuild/<name>} on hybrid and
 * unified hosts; {@link ResourceLimits#cgroupParent()} replaces {@code jbuild}. It also decides the container's {@link DevicePolicy}: the v1 devices rules
 * written here, or the cgroup2 directory rrun attaches the eBPF device program to.
 * Java does plain file I/O only; rrun writes the container's pid into {@link #procsFiles()} before
 * the container runs anything.
 */
final class Cgroup {
  static final String PARENT = "jbuild";
  private static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu", "devices");

  private final CgroupHost host;
  /** v1 hierarchy mount point -> this cgroup's dir in it. */
  private final Map<Path, Path> v1Dirs;
  /** The cgroup2 dir, or null on a legacy host. */
  private final Path v2Dir;
  private final long memoryLimit;
  private DevicePolicy devicePolicy = DevicePolicy.none();

  private Cgroup(CgroupHost host, Map<Path, Path> v1Dirs, Path v2Dir, long memoryLimit) {
    this.host = host;
    this.v1Dirs = v1Dirs;
    this.v2Dir = v2Dir;
    this.memoryLimit = memoryLimit;
  }

  /**
   * Creates the cgroup and writes the limits and the default device policy.
   *
   * @throws RunnerException if a directory or limit cannot be written; nothing is left behind
   */
  static Cgroup create(CgroupHost host, String name, ResourceLimits limits) throws RunnerException {
    return create(host, name, limits, true);
  }

  /**
   * Like {@link #create(CgroupHost, String, ResourceLimits)}; without {@code devicePolicy} no
   * device cgroup is used, which leaves {@link DevicePolicy#none()} (tests force that fallback).
   */
  static Cgroup create(CgroupHost host, String name, ResourceLimits limits, boolean devicePolicy)
      throws RunnerException {
    Map<Path, Path> v1Dirs = new LinkedHashMap<>();
    Path v2Dir = null;
    Cgroup cgroup = null;
    // docker build --cgroup-parent: the parent (made where missing, and left, as runc does)
    // applies its own limits on top of the run's. Checked by ResourceLimits: no "..".
    String parentName = limits.cgroupParent() == null ? PARENT : limits.cgroupParent();
    try {
      if (host.mode() != CgroupHost.Mode.UNIFIED) {
        for (String controller : V1_CONTROLLERS) {
          Path mount = host.v1Mount(controller);
          if (controller.equals("devices") && !devicePolicy) {
            continue;
          }
          if (mount == null) {
            if (CgroupLimits.needs(limits, controller)) {
              throw new IOException("the cgroup v1 controller '" + controller + "' is not mounted");
            }
            continue;
          }
          if (!v1Dirs.containsKey(mount)) {
            v1Dirs.put(mount, mkdir(mount.resolve(parentName).resolve(name)));
          }
        }
      }
      if (host.unified() != null) {
        Path parent = host.unified().resolve(parentName);
        if (host.mode() == CgroupHost.Mode.UNIFIED) {
          // Controllers must be enabled in every ancestor's subtree_control (runc fs2/create.go).
          Path dir = host.unified();
          CgroupLimits.enableControllers(dir);
          for (Path segment : Path.of(parentName)) {
            dir = Files.createDirectories(dir.resolve(segment.toString()));
            CgroupLimits.enableControllers(dir);
          }
        }
        v2Dir = mkdir(parent.resolve(name));
      }
      cgroup = new Cgroup(host, v1Dirs, v2Dir, limits.memoryBytes());
      CgroupLimits.apply(host.mode(), v2Dir, cgroup::v1Dir, limits);
      if (devicePolicy) {
        cgroup.devicePolicy = DevicePolicy.enforce(cgroup.v1Dir("devices"), v2Dir);
      }
      return cgroup;
    } catch (IOException | RuntimeException e) {
      Cgroup partial = cgroup != null ? cgroup : new Cgroup(host, v1Dirs, v2Dir, 0);
      try {
        partial.remove();
      } catch (RunnerException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new RunnerException("Tried to create a cgroup for the container but failed because: "
          + e.getMessage() + ". Containers need root and a writable " + CgroupHost.ROOT
          + " (cgroup layout: " + host.mode().name().toLowerCase() + ").", e);
    }
  }

  private static Path mkdir(Path dir) throws IOException {
    Files.createDirectories(dir.getParent());
    return Files.createDirectory(dir);
  }

  private Path v1Dir(String controller) {
    return v1Dirs.get(host.v1Mount(controller));
  }

  /** The cgroup.procs files the container's init must be written into. */
  List<Path> procsFiles() {
    List<Path> files = new ArrayList<>();
    v1Dirs.values().forEach(d -> files.add(d.resolve("cgroup.procs")));
    if (v2Dir != null) {
      files.add(v2Dir.resolve("cgroup.procs"));
    }
    return files;
  }

  /**
   * What rrun mounts read-only under the container's /sys/fs/cgroup, inside a cgroup namespace
   * rooted here: the unified tree alone on a v2 host, else one directory per joined hierarchy.
   */
  List<RrunSpec.CgroupMount> containerMounts() {
    List<RrunSpec.CgroupMount> mounts = new ArrayList<>();
    if (host.mode() == CgroupHost.Mode.UNIFIED) {
      mounts.add(new RrunSpec.CgroupMount("", "cgroup2", null));
      return mounts;
    }
    for (Path mount : v1Dirs.keySet()) {
      mounts.add(new RrunSpec.CgroupMount(mount.getFileName().toString(), "cgroup",
          host.v1Mounts().get(mount)));
    }
    if (v2Dir != null) {
      mounts.add(new RrunSpec.CgroupMount(host.unified().getFileName().toString(), "cgroup2", null));
    }
    return mounts;
  }

  /** How the container's device rules are enforced; see {@link DevicePolicy}. */
  DevicePolicy devicePolicy() {
    return devicePolicy;
  }

  /** The memory limit in bytes, 0 if none. */
  long memoryLimit() {
    return memoryLimit;
  }

  /** True if the OOM killer killed something in this cgroup (it starts at 0: a fresh cgroup). */
  boolean oomKilled() {
    Path file = host.mode() == CgroupHost.Mode.UNIFIED ? v2Dir.resolve("memory.events")
        : v1Dir("memory") == null ? null : v1Dir("memory").resolve("memory.oom_control");
    if (file == null) {
      return false;
    }
    try {
      for (String line : Files.readAllLines(file)) {
        String[] kv = line.trim().split("\\s+");
        if (kv.length == 2 && kv[0].equals("oom_kill")) {
          return Long.parseLong(kv[1]) > 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    return false;
  }

  /**
   * SIGKILLs every process in the cgroup: one write to {@code cgroup.kill} where cgroup2 has one
   * (kernel 5.14+, also on hybrid hosts), else kill(2) on every listed pid until none is left.
   */
  void kill() {
    if (v2Dir != null && Files.exists(v2Dir.resolve("cgroup.kill"))) {
      try {
        Files.writeString(v2Dir.resolve("cgroup.kill"), "1");
        return;
      } catch (IOException e) {
        // Fall back to killing pid by pid.
      }
    }
    for (int round = 0; round < 50; round++) {
      Set<Long> pids = pids();
      if (pids.isEmpty()) {
        return;
      }
      pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      sleep(2);
    }
  }

  private Set<Long> pids() {
    Set<Long> pids = new LinkedHashSet<>();
    for (Path procs : procsFiles()) {
      try {
        for (String line : Files.readAllLines(procs)) {
          if (!line.isBlank()) {
            pids.add(Long.parseLong(line.trim()));
          }
        }
      } catch (IOException | NumberFormatException e) {
        // Gone already, or a fake cgroupfs without the file.
      }
    }
    return pids;
  }

  /**
   * Kills whatever is still in the cgroup and removes its directories. Normally the container's
   * PID 1 has exited, which makes the kernel kill the rest of its pid namespace; rmdir is retried
   * briefly while the last exits are accounted. Idempotent.
   */
  void remove() throws RunnerException {
    kill();
    List<Path> dirs = new ArrayList<>(v1Dirs.values());
    if (v2Dir != null) {
      dirs.add(v2Dir);
    }
    for (Path dir : dirs) {
      rmdir(dir);
    }
  }

  private static void rmdir(Path dir) throws RunnerException {
    for (int attempt = 0; ; attempt++) {
      try {
        Files.deleteIfExists(dir);
        return;
      } catch (NoSuchFileException e) {
        return;
      } catch (FileSystemException e) {
        // EBUSY while the last processes are being reaped.
        if (attempt >= 300) {
          throw new RunnerException("Tried to remove the container's cgroup " + dir
              + " but failed because: " + e.getReason() + ". Remove it with rmdir once its "
              + "processes are gone.", e);
        }
        sleep(attempt < 20 ? 1 : 10);
      } catch (IOException e) {
        throw new RunnerException("Tried to remove the container's cgroup " + dir
            + " but failed because: " + e, e);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      // Cleanup must finish; keep the interrupt for the caller.
      Thread.currentThread().interrupt();
      try {
        Thread.sleep(millis);
      } catch (InterruptedException again) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Removes cgroups left behind by crashed runs: every {@code jbuild/<name>} for which
   * {@code stale} holds, after killing what is still inside. Returns the names removed.
   */
  static List<String> sweep(CgroupHost host, Predicate<String> stale) {
    return sweep(host, List.of(), stale);
  }

  /**
   * Like {@link #sweep(CgroupHost, Predicate)}, also under each of {@code otherParents}
   * (relative cgroup paths such as {@code ci/builds}, given with {@code --cgroup-parent}).
   * Parents themselves are never removed, as runc leaves them; only their children for which
   * {@code stale} holds.
   */
  static List<String> sweep(CgroupHost host, List<String> otherParents,
      Predicate<String> stale) {
    List<String> removed = new ArrayList<>();
    Set<String> parentNames = new LinkedHashSet<>();
    parentNames.add(PARENT);
    parentNames.addAll(otherParents);
    for (String parentName : parentNames) {
      removed.addAll(sweepUnder(host, parentName, stale));
    }
    return removed;
  }

  private static List<String> sweepUnder(CgroupHost host, String parentName,
      Predicate<String> stale) {
    // v1 hierarchy mount point -> the parent's dir in it.
    Map<Path, Path> v1Parents = new LinkedHashMap<>();
    for (String controller : V1_CONTROLLERS) {
      Path mount = host.v1Mount(controller);
      if (mount != null && host.mode() != CgroupHost.Mode.UNIFIED) {
        v1Parents.put(mount, mount.resolve(parentName));
      }
    }
    Path unifiedParent = host.unified() == null ? null : host.unified().resolve(parentName);
    Set<Path> parents = new LinkedHashSet<>(v1Parents.values());
    if (unifiedParent != null) {
      parents.add(unifiedParent);
    }
    Set<String> names = new LinkedHashSet<>();
    for (Path parent : parents) {
      if (!Files.isDirectory(parent)) {
        continue;
      }
      try (DirectoryStream<Path> children = Files.newDirectoryStream(parent, Files::isDirectory)) {
        for (Path child : children) {
          String name = child.getFileName().toString();
          if (stale.test(name)) {
            names.add(name);
          }
        }
      } catch (IOException e) {
        // Unreadable: nothing we could remove either.
      }
    }
    List<String> removed = new ArrayList<>();
    for (String name : names) {
      Map<Path, Path> v1 = new LinkedHashMap<>();
      v1Parents.forEach((mount, parent) -> v1.put(mount, parent.resolve(name)));
      Path v2 = unifiedParent == null ? null : unifiedParent.resolve(name);
      try {
        new Cgroup(host, v1, v2, 0).remove();
        removed.add(name);
      } catch (RunnerException e) {
        // Still busy (a process in D state?): the next sweep tries again.
      }
    }
    return removed;
  }
}
