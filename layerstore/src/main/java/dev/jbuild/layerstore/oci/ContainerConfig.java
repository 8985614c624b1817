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
 * set" (a null Cmd differs from an empty one), so lists and maps are kept nullable here. Change
 * values with {@link #toBuilder()} or the {@code with…} methods.
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
 * @param healthcheck Docker's HEALTHCHECK, or null (inherit / none set)
 * @param onBuild Docker's ONBUILD triggers, or null
 * @param shell Docker's SHELL, or null
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
    @JsonProperty("Healthcheck") Healthcheck healthcheck,
    @JsonProperty("OnBuild") List<String> onBuild,
    @JsonProperty("Shell") List<String> shell) {

  /** Nothing set. */
  public static final ContainerConfig EMPTY = new Builder().build();

  /**
   * Docker's health check ({@code moby/docker-image-spec}); durations in nanoseconds, null when
   * not set (inherit the default).
   *
   * @param test {@code ["CMD", …]}, {@code ["CMD-SHELL", cmd]} or {@code ["NONE"]}
   * @param interval time between checks
   * @param timeout time a check may take
   * @param startPeriod grace period after start
   * @param startInterval time between checks during the start period
   * @param retries failures before unhealthy
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Healthcheck(
      @JsonProperty("Test") List<String> test,
      @JsonProperty("Interval") Long interval,
      @JsonProperty("Timeout") Long timeout,
      @JsonProperty("StartPeriod") Long startPeriod,
      @JsonProperty("StartInterval") Long startInterval,
      @JsonProperty("Retries") Integer retries) {}

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

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Returns a copy where {@code key} is set to {@code value}, keeping its position if present. */
  public ContainerConfig withEnv(String key, String value) {
    Map<String, String> map = envMap();
    map.put(key, value);
    List<String> list = new ArrayList<>();
    map.forEach((k, v) -> list.add(k + "=" + v));
    return toBuilder().env(list).build();
  }

  /** Returns a copy with this working directory. */
  public ContainerConfig withWorkingDir(String dir) {
    return toBuilder().workingDir(dir).build();
  }

  /** Returns a copy with this default command. */
  public ContainerConfig withCmd(List<String> newCmd) {
    return toBuilder().cmd(newCmd).build();
  }

  /** Returns a copy with this entrypoint. */
  public ContainerConfig withEntrypoint(List<String> newEntrypoint) {
    return toBuilder().entrypoint(newEntrypoint).build();
  }

  /** Returns a copy with this user. */
  public ContainerConfig withUser(String newUser) {
    return toBuilder().user(newUser).build();
  }

  /** Returns a copy with {@code port} (for example {@code 80/tcp}) exposed. */
  public ContainerConfig withExposedPort(String port) {
    Map<String, Map<String, Object>> ports =
        exposedPorts == null ? new TreeMap<>() : new TreeMap<>(exposedPorts);
    ports.put(port, Map.of());
    return toBuilder().exposedPorts(ports).build();
  }

  /** Returns a copy with this label set. */
  public ContainerConfig withLabel(String key, String value) {
    Map<String, String> map = labels == null ? new TreeMap<>() : new TreeMap<>(labels);
    map.put(key, value);
    return toBuilder().labels(map).build();
  }

  /** Mutable builder for {@link ContainerConfig}; setters return {@code this}. */
  public static final class Builder {
    private String user;
    private Map<String, Map<String, Object>> exposedPorts;
    private List<String> env;
    private List<String> entrypoint;
    private List<String> cmd;
    private Map<String, Map<String, Object>> volumes;
    private String workingDir;
    private Map<String, String> labels;
    private String stopSignal;
    private Healthcheck healthcheck;
    private List<String> onBuild;
    private List<String> shell;

    /** An empty builder. */
    public Builder() {}

    private Builder(ContainerConfig c) {
      user = c.user;
      exposedPorts = c.exposedPorts;
      env = c.env;
      entrypoint = c.entrypoint;
      cmd = c.cmd;
      volumes = c.volumes;
      workingDir = c.workingDir;
      labels = c.labels;
      stopSignal = c.stopSignal;
      healthcheck = c.healthcheck;
      onBuild = c.onBuild;
      shell = c.shell;
    }

    public Builder user(String v) {
      user = v;
      return this;
    }

    public Builder exposedPorts(Map<String, Map<String, Object>> v) {
      exposedPorts = v;
      return this;
    }

    public Builder env(List<String> v) {
      env = v;
      return this;
    }

    public Builder entrypoint(List<String> v) {
      entrypoint = v;
      return this;
    }

    public Builder cmd(List<String> v) {
      cmd = v;
      return this;
    }

    public Builder volumes(Map<String, Map<String, Object>> v) {
      volumes = v;
      return this;
    }

    public Builder workingDir(String v) {
      workingDir = v;
      return this;
    }

    public Builder labels(Map<String, String> v) {
      labels = v;
      return this;
    }

    public Builder stopSignal(String v) {
      stopSignal = v;
      return this;
    }

    public Builder healthcheck(Healthcheck v) {
      healthcheck = v;
      return this;
    }

    public Builder onBuild(List<String> v) {
      onBuild = v;
      return this;
    }

    public Builder shell(List<String> v) {
      shell = v;
      return this;
    }

    /** The config with the values set so far. */
    public ContainerConfig build() {
      return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir,
          labels, stopSignal, healthcheck, onBuild, shell);
    }
  }
}
