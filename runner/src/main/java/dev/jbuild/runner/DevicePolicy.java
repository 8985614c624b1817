package dev.jbuild.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Which devices a container may use, and how that is enforced (issue #10 item 1). Containers
 * keep CAP_MKNOD, as in Docker, so a RUN step or an image can create or carry a node for any
 * device, e.g. the host's disk; what makes that safe is this policy, applied before the container
 * runs anything: deny everything except {@link #DEFAULT_RULES}.
 *
 * <ul>
 *   <li>{@link Enforcement#CGROUP_V1}: the v1 {@code devices} controller, written by {@link
 *       Cgroup} ({@code devices.deny a}, then each rule to {@code devices.allow}).
 *   <li>{@link Enforcement#EBPF}: rrun loads a {@code BPF_PROG_TYPE_CGROUP_DEVICE} program made
 *       from the rules and attaches it to {@link #bpfCgroup()} (cgroup2 has no devices files).
 *       If the kernel refuses the program, rrun falls back to {@link Enforcement#NONE}.
 *   <li>{@link Enforcement#NONE}: no device cgroup can be used. Then rrun drops CAP_MKNOD, so no
 *       node can be created, and mounts the container's root overlay (and its writable bind
 *       mounts) {@code nodev}, because an untrusted image can already contain a block node. Only
 *       the nodes rrun makes itself on the {@code /dev} tmpfs (null, zero, …, /dev/pts) work.
 * </ul>
 *
 * @param enforcement how the rules are enforced
 * @param bpfCgroup the container's cgroup2 directory for {@link Enforcement#EBPF}, else null
 */
record DevicePolicy(Enforcement enforcement, Path bpfCgroup) {
  /**
   * runc's default rules ({@code libcontainer/specconv} {@code AllowedDevices}, as Docker uses
   * them), in the v1 {@code devices.allow} syntax {@code type major:minor access}: mknod of any
   * node (using it is what the other rules govern), null, zero, full, random, urandom, tty,
   * console, ptmx, every /dev/pts slave and /dev/net/tun.
   */
  static final List<String> DEFAULT_RULES = List.of(
      "c *:* m", "b *:* m",
      "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
      "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm");

  /** The ways the rules can be enforced; see the class comment. */
  enum Enforcement { CGROUP_V1, EBPF, NONE }

  DevicePolicy {
    Objects.requireNonNull(enforcement, "enforcement");
    if ((enforcement == Enforcement.EBPF) != (bpfCgroup != null)) {
      throw new IllegalArgumentException("a cgroup2 directory goes with eBPF enforcement only");
    }
  }

  /** No device cgroup: rrun drops CAP_MKNOD and mounts the rootfs nodev instead. */
  static DevicePolicy none() {
    return new DevicePolicy(Enforcement.NONE, null);
  }

  /**
   * Enforces {@link #DEFAULT_RULES} on a new container cgroup: in the v1 devices controller if
   * the container has a directory there (first {@code devices.deny a}, which empties the list
   * inherited from the parent, then one write per allowed rule, as runc's {@code
   * fs/devices.go} does), else through cgroup2 and rrun's eBPF program, else not at all.
   *
   * @param v1Devices the container's directory in the v1 devices hierarchy, or null
   * @param v2Dir the container's cgroup2 directory, or null
   * @return how the rules are enforced
   * @throws IOException if the v1 rules cannot be written
   */
  static DevicePolicy enforce(Path v1Devices, Path v2Dir) throws IOException {
    if (v1Devices != null) {
      write(v1Devices.resolve("devices.deny"), "a");
      for (String rule : DEFAULT_RULES) {
        write(v1Devices.resolve("devices.allow"), rule);
      }
      return new DevicePolicy(Enforcement.CGROUP_V1, null);
    }
    return v2Dir != null ? new DevicePolicy(Enforcement.EBPF, v2Dir) : none();
  }

  private static void write(Path file, String rule) throws IOException {
    try {
      // One rule per write(2): the kernel parses each write as a single rule.
      Files.writeString(file, rule);
    } catch (IOException e) {
      throw new IOException("cannot write the device rule '" + rule + "' to " + file + ": " + e, e);
    }
  }

  /** The spec value rrun reads ({@code cgroup}, {@code ebpf} or {@code none}). */
  String specName() {
    switch (enforcement) {
      case CGROUP_V1:
        return "cgroup";
      case EBPF:
        return "ebpf";
      default:
        return "none";
    }
  }
}
