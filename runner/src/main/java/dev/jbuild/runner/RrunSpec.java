package dev.jbuild.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/** Writes the JSON spec that rrun reads (field names are rrun's; see rrun.c load_spec). */
final class RrunSpec {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RrunSpec() {}

  /**
   * @param rootfs empty host dir the overlay gets mounted on inside the container's mount namespace
   * @param mounts every bind mount, generated ones first
   * @param cgroupProcs cgroup.procs files the helper writes the container's pid into
   */
  static byte[] toJson(ContainerSpec spec, Path rootfs, List<BindMount> mounts,
      List<Path> cgroupProcs) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("rootfs", rootfs.toString());
    ArrayNode lowers = root.putArray("lowerDirs");
    Path layersRoot = spec.layersRoot() == null ? null : spec.layersRoot().toAbsolutePath().normalize();
    if (layersRoot != null) {
      root.put("layersRoot", layersRoot.toString());
    }
    for (Path lower : spec.lowerDirs()) {
      lowers.add(lowerDirOption(lower, layersRoot));
    }
    root.put("upperDir", spec.upperDir().toAbsolutePath().toString());
    root.put("workDir", spec.workDir().toAbsolutePath().toString());
    spec.args().forEach(root.putArray("args")::add);
    spec.env().forEach(root.putArray("env")::add);
    root.put("cwd", spec.workingDir());
    root.put("user", spec.user());
    root.put("hostname", spec.hostname());
    root.put("network", spec.network() == NetworkMode.HOST ? "host" : "none");
    ArrayNode mountArray = root.putArray("mounts");
    for (BindMount m : mounts) {
      ObjectNode node = mountArray.addObject();
      node.put("source", m.source().toAbsolutePath().toString());
      node.put("target", m.target());
      node.put("readOnly", m.readOnly());
    }
    ArrayNode procs = root.putArray("cgroupProcs");
    cgroupProcs.forEach(p -> procs.add(p.toString()));
    root.put("noNewPrivileges", spec.noNewPrivileges());
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
