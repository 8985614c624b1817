package dev.jbuild.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the JSON spec that rrun reads (field names are rrun's; see rrun.c load_spec). A spec
 * with secrets holds their values: it must only ever go to rrun over a pipe.
 */
final class RrunSpec {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * A cgroup file system rrun mounts read-only under the container's /sys/fs/cgroup.
   *
   * @param target directory name under /sys/fs/cgroup, or "" for /sys/fs/cgroup itself
   * @param type {@code cgroup} (v1) or {@code cgroup2}
   * @param data mount options naming the v1 controllers (e.g. {@code cpu,cpuacct}), or null
   */
  record CgroupMount(String target, String type, String data) {}

  /**
   * What the runner decided for this run, beyond the {@link ContainerSpec}.
   *
   * @param rootfs empty host dir the overlay gets mounted on inside the container's mount namespace
   * @param mounts every bind mount, generated ones first
   * @param cgroupProcs cgroup.procs files the helper writes the container's pid into
   * @param cgroupMounts what to mount under /sys/fs/cgroup (in a new cgroup namespace if any)
   * @param netns network namespace file to join in bridge mode, else null
   * @param tty give the command a pseudo-terminal
   * @param devices the device policy (rrun attaches the eBPF program, or falls back to no
   *     CAP_MKNOD and a nodev rootfs)
   * @param userns rrun runs as root of a user namespace (rootless): overlay with {@code
   *     userxattr}, host device nodes bound; needs no cgroups and {@link DevicePolicy#none()}
   * @param boundProc with {@code userns} where no new proc can be mounted ({@link
   *     ProcVisibility}): no PID namespace, {@code /proc} and {@code /sys} bound from this process
   */
  record Runtime(Path rootfs, List<BindMount> mounts, List<Path> cgroupProcs,
      List<CgroupMount> cgroupMounts, Path netns, boolean tty, DevicePolicy devices,
      boolean userns, boolean boundProc) {
    Runtime(Path rootfs, List<BindMount> mounts, List<Path> cgroupProcs,
        List<CgroupMount> cgroupMounts, Path netns, boolean tty, DevicePolicy devices,
        boolean userns) {
      this(rootfs, mounts, cgroupProcs, cgroupMounts, netns, tty, devices, userns, false);
    }

    Runtime(Path rootfs, List<BindMount> mounts, List<Path> cgroupProcs,
        List<CgroupMount> cgroupMounts, Path netns, boolean tty, DevicePolicy devices) {
      this(rootfs, mounts, cgroupProcs, cgroupMounts, netns, tty, devices, false);
    }

    Runtime(Path rootfs, List<BindMount> mounts, List<Path> cgroupProcs,
        List<CgroupMount> cgroupMounts, Path netns, boolean tty) {
      this(rootfs, mounts, cgroupProcs, cgroupMounts, netns, tty, DevicePolicy.none());
    }
  }

  private RrunSpec() {}

  static byte[] toJson(ContainerSpec spec, Path rootfs, List<BindMount> mounts,
      List<Path> cgroupProcs) {
    return toJson(spec, new Runtime(rootfs, mounts, cgroupProcs, List.of(), null, false));
  }

  static byte[] toJson(ContainerSpec spec, Runtime runtime) {
    Path rootfs = runtime.rootfs();
    List<BindMount> mounts = runtime.mounts();
    List<Path> cgroupProcs = runtime.cgroupProcs();
    ObjectNode root = MAPPER.createObjectNode();
    if (spec.inPlaceRoot() != null) {
      root.put("inPlaceRoot", spec.inPlaceRoot().toAbsolutePath().normalize().toString());
    } else {
      root.put("rootfs", rootfs.toString());
      ArrayNode lowers = root.putArray("lowerDirs");
      Path layersRoot = spec.layersRoot() == null ? null
          : spec.layersRoot().toAbsolutePath().normalize();
      if (layersRoot != null) {
        root.put("layersRoot", layersRoot.toString());
      }
      for (Path lower : spec.lowerDirs()) {
        lowers.add(lowerDirOption(lower, layersRoot));
      }
      root.put("upperDir", spec.upperDir().toAbsolutePath().toString());
      root.put("workDir", spec.workDir().toAbsolutePath().toString());
    }
    spec.args().forEach(root.putArray("args")::add);
    spec.env().forEach(root.putArray("env")::add);
    root.put("cwd", spec.workingDir());
    root.put("user", spec.user());
    root.put("hostname", spec.hostname());
    root.put("network", spec.network().name().toLowerCase(java.util.Locale.ROOT));
    if (runtime.netns() != null) {
      root.put("netns", runtime.netns().toString());
    }
    ArrayNode mountArray = root.putArray("mounts");
    for (BindMount m : mounts) {
      ObjectNode node = mountArray.addObject();
      if (m.isTmpfs()) {
        node.put("tmpfs", true);
        node.put("size", m.tmpfsSize());
      } else {
        node.put("source", m.source().toAbsolutePath().toString());
        if (m.subpath() != null) {
          node.put("subpath", m.subpath());
        }
      }
      node.put("target", m.target());
      node.put("readOnly", m.readOnly());
    }
    ArrayNode procs = root.putArray("cgroupProcs");
    cgroupProcs.forEach(p -> procs.add(p.toString()));
    root.put("cgroupNamespace", !runtime.cgroupMounts().isEmpty());
    ArrayNode cgroupMounts = root.putArray("cgroupMounts");
    for (CgroupMount m : runtime.cgroupMounts()) {
      ObjectNode node = cgroupMounts.addObject();
      node.put("target", m.target());
      node.put("type", m.type());
      if (m.data() != null) {
        node.put("data", m.data());
      }
    }
    root.put("noNewPrivileges", spec.noNewPrivileges());
    root.put("seccomp", spec.seccomp());
    root.put("commandIsPid1", spec.commandIsPid1());
    if (spec.volatileUpper()) {
      root.put("volatileUpper", true);
    }
    root.put("tty", runtime.tty());
    DevicePolicy devices = runtime.devices();
    root.put("devicePolicy", devices.specName());
    if (devices.bpfCgroup() != null) {
      root.put("deviceCgroup", devices.bpfCgroup().toString());
    }
    DevicePolicy.DEFAULT_RULES.forEach(root.putArray("deviceRules")::add);
    if (runtime.userns()) {
      root.put("userns", true);
    }
    if (runtime.boundProc()) {
      root.put("boundProc", true);
    }
    if (spec.sandbox().shmSizeBytes() != 0) {
      root.put("shmSize", spec.sandbox().shmSizeBytes());
    }
    if (!spec.sandbox().rlimits().isEmpty()) {
      ArrayNode rlimits = root.putArray("rlimits");
      for (Sandbox.Rlimit r : spec.sandbox().rlimits()) {
        rlimits.addObject().put("name", r.name()).put("soft", r.soft()).put("hard", r.hard());
      }
    }
    if (!spec.secrets().isEmpty()) {
      ArrayNode secrets = root.putArray("secrets");
      for (SecretMount secret : spec.secrets()) {
        ObjectNode node = secrets.addObject();
        if (secret.target() != null) {
          node.put("target", secret.target());
        }
        if (secret.envName() != null) {
          node.put("env", secret.envName());
        }
        // Base64, so any bytes survive JSON; the array is written as is, never copied to a String.
        node.put("data", secret.value());
        node.put("uid", secret.uid());
        node.put("gid", secret.gid());
        node.put("mode", secret.mode());
      }
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a tree of strings", e);
    }
  }

  /** Relative to the layers root when inside it (short mount options), else absolute. */
  static String lowerDirOption(Path lower, Path layersRoot) {
    Path abs = lower.toAbsolutePath().normalize();
    if (layersRoot != null && abs.startsWith(layersRoot) && !abs.equals(layersRoot)) {
      return layersRoot.relativize(abs).toString();
    }
    return abs.toString();
  }
}
