package dev.jbuild.layerstore.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code config} object of an image config: defaults for running the image. Null means "not
 * set" (a null Cmd differs from an empty one), so lists and maps are kept nullable here.
 *
 * @param user {@code user|uid[:group|gid]}, or null
 * @param exposedPorts ports as {@code "80/tcp": {}}
 * @param env {@code K=V} entries in order
 * @param entrypoint the entrypoint, or null
 * @param cmd the default command, or null
 * @param volumes volume paths as {@code "/data": {}}
 * @param workingDir the working directory, or null
 * @param labels labels
 * @param stopSignal for example {@code SIGTERM}, or null
 * @param shell Docker's SHELL, or null
 * @param onBuild Docker's ONBUILD triggers, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerConfig(
    @JsonProperty("User") String user,
    @JsonProperty("ExposedPorts") Map<String, Map<String, Object>> exposedPorts,
    @JsonProperty("Env") List<String> env,
    @JsonProperty("Entrypoint") List<String> entrypoint,
    @JsonProperty("Cmd") List<String> cmd,
    @JsonProperty("Volumes") Map<String, Map<String, Object>> volumes,
    @JsonProperty("WorkingDir") String workingDir,
    @JsonProperty("Labels") Map<String, String> labels,
    @JsonProperty("StopSignal") String stopSignal,
    @JsonProperty("Shell") List<String> shell,
    @JsonProperty("OnBuild") List<String> onBuild) {

  /** Nothing set. */
  public static final ContainerConfig EMPTY =
      new ContainerConfig(null, null, null, null, null, null, null, null, null, null, null);

  /** The environment as an ordered map (later entries win, as in Docker). */
  public Map<String, String> envMap() {
    Map<String, String> map = new LinkedHashMap<>();
    if (env != null) {
      for (String e : env) {
        int eq = e.indexOf('=');
        map.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
      }
    }
    return map;
  }

  /** Returns a copy where {@code key} is set to {@code value}, keeping its position if present. */
  public ContainerConfig withEnv(String key, String value) {
    Map<String, String> map = envMap();
    map.put(key, value);
    List<String> list = new ArrayList<>();
    map.forEach((k, v) -> list.add(k + "=" + v));
    return new ContainerConfig(user, exposedPorts, list, entrypoint, cmd, volumes, workingDir,
        labels, stopSignal, shell, onBuild);
  }

  /** Returns a copy with this working directory. */
  public ContainerConfig withWorkingDir(String dir) {
    return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, dir, labels,
        stopSignal, shell, onBuild);
  }

  /** Returns a copy with this default command. */
  public ContainerConfig withCmd(List<String> newCmd) {
    return new ContainerConfig(user, exposedPorts, env, entrypoint, newCmd, volumes, workingDir,
        labels, stopSignal, shell, onBuild);
  }

  /** Returns a copy with this entrypoint. */
  public ContainerConfig withEntrypoint(List<String> newEntrypoint) {
    return new ContainerConfig(user, exposedPorts, env, newEntrypoint, cmd, volumes, workingDir,
        labels, stopSignal, shell, onBuild);
  }

  /** Returns a copy with this user. */
  public ContainerConfig withUser(String newUser) {
    return new ContainerConfig(newUser, exposedPorts, env, entrypoint, cmd, volumes, workingDir,
        labels, stopSignal, shell, onBuild);
  }

  /** Returns a copy with {@code port} (for example {@code 80/tcp}) exposed. */
  public ContainerConfig withExposedPort(String port) {
    Map<String, Map<String, Object>> ports =
        exposedPorts == null ? new TreeMap<>() : new TreeMap<>(exposedPorts);
    ports.put(port, Map.of());
    return new ContainerConfig(user, ports, env, entrypoint, cmd, volumes, workingDir, labels,
        stopSignal, shell, onBuild);
  }

  /** Returns a copy with this label set. */
  public ContainerConfig withLabel(String key, String value) {
    Map<String, String> map = labels == null ? new TreeMap<>() : new TreeMap<>(labels);
    map.put(key, value);
    return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, map,
        stopSignal, shell, onBuild);
  }
}
