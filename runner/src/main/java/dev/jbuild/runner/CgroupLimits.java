package dev.jbuild.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Resource limits as cgroup files (docs/runner.md §3): memory without swap and with group OOM
 * kills, pids and CPU quota, on cgroup v1 or v2; and the controllers a cgroup2 parent must
 * enable for its children. Plain file I/O only.
 */
final class CgroupLimits {
  private static final long DEFAULT_CPU_PERIOD = 100_000;

  private CgroupLimits() {}

  /** Whether {@code limits} cannot be applied without the v1 {@code controller}. */
  static boolean needs(ResourceLimits limits, String controller) {
    switch (controller) {
      case "memory":
        return limits.memoryBytes() > 0;
      case "pids":
        return limits.pidsMax() > 0;
      case "devices":
        // Optional: without it the device policy moves to cgroup2 or the nodev fallback.
        return false;
      default:
        return limits.cpuQuotaMicros() > 0;
    }
  }

  /** Enables memory, pids and cpu for children, as far as the parent offers them. */
  static void enableControllers(Path dir) throws IOException {
    Path available = dir.resolve("cgroup.controllers");
    if (!Files.exists(available)) {
      return;
    }
    Set<String> offered = Set.of(Files.readString(available).trim().split("\\s+"));
    Set<String> enabled = Set.of(readOrEmpty(dir.resolve("cgroup.subtree_control")).split("\\s+"));
    StringBuilder change = new StringBuilder();
    for (String c : List.of("memory", "pids", "cpu")) {
      if (offered.contains(c) && !enabled.contains(c)) {
        change.append(change.length() == 0 ? "" : " ").append('+').append(c);
      }
    }
    if (change.length() > 0) {
      Files.writeString(dir.resolve("cgroup.subtree_control"), change.toString());
    }
  }

  private static String readOrEmpty(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file).trim() : "";
  }

  /**
   * Writes {@code limits} into a container's cgroup: into {@code v2Dir} on a unified host, else
   * into the v1 hierarchies' dirs that {@code v1Dir} gives per controller.
   *
   * @throws IOException naming the file and value that could not be written
   */
  static void apply(CgroupHost.Mode mode, Path v2Dir, Function<String, Path> v1Dir,
      ResourceLimits limits) throws IOException {
    long period = limits.cpuPeriodMicros() > 0 ? limits.cpuPeriodMicros() : DEFAULT_CPU_PERIOD;
    if (mode == CgroupHost.Mode.UNIFIED) {
      if (limits.memoryBytes() > 0) {
        write(v2Dir, "memory.max", Long.toString(limits.memoryBytes()));
        // No swap: a build step over its limit must be OOM-killed, not crawl on swap.
        writeIfExists(v2Dir, "memory.swap.max", "0");
        // Kill the whole container on OOM rather than one random process in it.
        writeIfExists(v2Dir, "memory.oom.group", "1");
      }
      if (limits.pidsMax() > 0) {
        write(v2Dir, "pids.max", Long.toString(limits.pidsMax()));
      }
      if (limits.cpuQuotaMicros() > 0) {
        write(v2Dir, "cpu.max", limits.cpuQuotaMicros() + " " + period);
      }
      return;
    }
    if (limits.memoryBytes() > 0) {
      Path dir = v1Dir.apply("memory");
      // memsw (memory+swap) must stay >= the memory limit, so memory goes first (runc
      // fs/memory.go); memsw equal to it means no swap at all.
      write(dir, "memory.limit_in_bytes", Long.toString(limits.memoryBytes()));
      writeIfExists(dir, "memory.memsw.limit_in_bytes", Long.toString(limits.memoryBytes()));
    }
    if (limits.pidsMax() > 0) {
      write(v1Dir.apply("pids"), "pids.max", Long.toString(limits.pidsMax()));
    }
    if (limits.cpuQuotaMicros() > 0) {
      Path dir = v1Dir.apply("cpu");
      write(dir, "cpu.cfs_period_us", Long.toString(period));
      write(dir, "cpu.cfs_quota_us", Long.toString(limits.cpuQuotaMicros()));
    }
  }

  private static void write(Path dir, String file, String value) throws IOException {
    try {
      Files.writeString(dir.resolve(file), value);
    } catch (IOException e) {
      throw new IOException("cannot write " + value + " to " + dir.resolve(file) + ": " + e, e);
    }
  }

  private static void writeIfExists(Path dir, String file, String value) throws IOException {
    if (Files.exists(dir.resolve(file))) {
      write(dir, file, value);
    }
  }
}
