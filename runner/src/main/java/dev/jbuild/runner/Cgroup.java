package dev.jbuild.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-run cgroup carrying the {@link ResourceLimits} (docs/runner.md §3). On cgroup v1 and on
 * hybrid hosts it is one directory per controller (memory, pids, cpu); on a unified (v2) host a
 * single directory. Java only does file I/O here; rrun writes the container's pid into
 * {@link #procsFiles()} before the container runs anything.
 */
final class Cgroup {
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final String PARENT = "jbuild";

  private final boolean unified;
  private final Map<String, Path> dirs; // controller (or "" on v2) -> dir

  private Cgroup(boolean unified, Map<String, Path> dirs) {
    this.unified = unified;
    this.dirs = dirs;
  }

  static Cgroup create(String name, ResourceLimits limits) throws RunnerException {
    try {
      boolean unified = "cgroup2".equals(Files.getFileStore(CGROUP_ROOT).type());
      Cgroup cgroup = unified ? createV2(name) : createV1(name, limits);
      try {
        cgroup.apply(limits);
      } catch (IOException | RuntimeException e) {
        cgroup.remove();
        throw e;
      }
      return cgroup;
    } catch (IOException e) {
      throw new RunnerException("Tried to create a cgroup for the container's resource limits "
          + "but failed because: " + e + ". Resource limits need root and a writable "
          + CGROUP_ROOT + ".", e);
    }
  }

  private static Cgroup createV1(String name, ResourceLimits limits) throws IOException {
    Map<String, Path> mounts = v1ControllerMounts();
    List<String> wanted = new ArrayList<>();
    if (limits.memoryBytes() > 0) {
      wanted.add("memory");
    }
    if (limits.pidsMax() > 0) {
      wanted.add("pids");
    }
    if (limits.cpuQuotaMicros() > 0) {
      wanted.add("cpu");
    }
    for (String controller : wanted) {
      if (!mounts.containsKey(controller)) {
        throw new IOException("the cgroup v1 controller '" + controller + "' is not mounted");
      }
    }
    Map<String, Path> dirs = new LinkedHashMap<>();
    for (String controller : wanted) {
      Path dir = mounts.get(controller).resolve(PARENT).resolve(name);
      Files.createDirectories(dir);
      dirs.put(controller, dir);
    }
    return new Cgroup(false, dirs);
  }

  private static Cgroup createV2(String name) throws IOException {
    // Controllers must be enabled in every ancestor's subtree_control (runc fs2/create.go).
    Path parent = CGROUP_ROOT.resolve(PARENT);
    Files.writeString(CGROUP_ROOT.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
    Files.createDirectories(parent);
    Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
    Path dir = parent.resolve(name);
    Files.createDirectories(dir);
    Map<String, Path> dirs = new LinkedHashMap<>();
    dirs.put("", dir);
    return new Cgroup(true, dirs);
  }

  /** Controller name -> mount point, from /proc/self/mountinfo. */
  static Map<String, Path> v1ControllerMounts() throws IOException {
    Map<String, Path> result = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] pre = line.substring(0, dash).split(" ");
      String[] post = line.substring(dash + 3).split(" ");
      if (pre.length < 5 || post.length < 3 || !post[0].equals("cgroup")) {
        continue;
      }
      Path mountPoint = Path.of(pre[4].replace("\\040", " "));
      for (String option : post[2].split(",")) {
        result.putIfAbsent(option, mountPoint);
      }
    }
    return result;
  }

  private void apply(ResourceLimits limits) throws IOException {
    if (unified) {
      Path dir = dirs.get("");
      if (limits.memoryBytes() > 0) {
        write(dir, "memory.max", limits.memoryBytes());
        writeIfExists(dir, "memory.swap.max", "0");
        writeIfExists(dir, "memory.oom.group", "1");
      }
      if (limits.pidsMax() > 0) {
        write(dir, "pids.max", limits.pidsMax());
      }
      if (limits.cpuQuotaMicros() > 0) {
        Files.writeString(dir.resolve("cpu.max"), limits.cpuQuotaMicros() + " " + period(limits));
      }
      return;
    }
    if (limits.memoryBytes() > 0) {
      Path dir = dirs.get("memory");
      // memsw (memory+swap) must stay >= the memory limit, so set memory first (runc fs/memory.go).
      write(dir, "memory.limit_in_bytes", limits.memoryBytes());
      if (Files.exists(dir.resolve("memory.memsw.limit_in_bytes"))) {
        write(dir, "memory.memsw.limit_in_bytes", limits.memoryBytes());
      }
    }
    if (limits.pidsMax() > 0) {
      write(dirs.get("pids"), "pids.max", limits.pidsMax());
    }
    if (limits.cpuQuotaMicros() > 0) {
      Path dir = dirs.get("cpu");
      write(dir, "cpu.cfs_period_us", period(limits));
      write(dir, "cpu.cfs_quota_us", limits.cpuQuotaMicros());
    }
  }

  private static long period(ResourceLimits limits) {
    return limits.cpuPeriodMicros() > 0 ? limits.cpuPeriodMicros() : 100_000;
  }

  private static void write(Path dir, String file, long value) throws IOException {
    Files.writeString(dir.resolve(file), Long.toString(value));
  }

  private static void writeIfExists(Path dir, String file, String value) throws IOException {
    if (Files.exists(dir.resolve(file))) {
      Files.writeString(dir.resolve(file), value);
    }
  }

  /** The cgroup.procs files the container's init must be written into. */
  List<Path> procsFiles() {
    List<Path> files = new ArrayList<>();
    dirs.values().forEach(d -> files.add(d.resolve("cgroup.procs")));
    return files;
  }

  /** True if the OOM killer killed something in this cgroup (it starts at 0: a fresh cgroup). */
  boolean oomKilled() {
    Path file = unified ? dirs.get("").resolve("memory.events")
        : dirs.containsKey("memory") ? dirs.get("memory").resolve("memory.oom_control") : null;
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
   * Removes the cgroup directories. The container's PID 1 has exited, which makes the kernel kill
   * and reap every other process of its pid namespace, so the cgroups empty out almost at once;
   * rmdir is retried briefly while the last exits are accounted.
   */
  void remove() throws RunnerException {
    for (Path dir : dirs.values()) {
      for (int attempt = 0; ; attempt++) {
        try {
          Files.deleteIfExists(dir);
          break;
        } catch (NoSuchFileException e) {
          break;
        } catch (FileSystemException e) {
          if (attempt >= 100) {
            throw new RunnerException("Tried to remove the container's cgroup " + dir
                + " but failed because: " + e.getReason() + ". Remove it with rmdir once its "
                + "processes are gone.", e);
          }
          try {
            Thread.sleep(10);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new RunnerException("Interrupted while removing the cgroup " + dir, ie);
          }
        } catch (IOException e) {
          throw new RunnerException("Tried to remove the container's cgroup " + dir
              + " but failed because: " + e, e);
        }
      }
    }
  }
}
