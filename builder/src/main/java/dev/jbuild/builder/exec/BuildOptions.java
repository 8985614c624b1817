package dev.jbuild.builder.exec;

import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.runner.Sandbox;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What execution needs to know of a build's request beyond its plan, and nothing more: execution
 * takes this record instead of reading the library's {@code BuildRequest}, so {@code exec} does
 * not depend back on the entry-point package. {@code BuildRequest.options()} makes one.
 *
 * @param dockerfileName the Dockerfile's file name, which prefixes located error messages
 * @param platform the target platform (cache keys, {@code FROM scratch}, base images)
 * @param pull always pull base images, even when they are in the store ({@code --pull})
 * @param secrets {@code --secret} values by id
 * @param limits resource limits for every RUN step
 * @param sourceDateEpoch {@code SOURCE_DATE_EPOCH} in seconds, or null
 * @param sandbox {@code --add-host}, {@code --shm-size} and {@code --ulimit} for every RUN step
 */
public record BuildOptions(
    String dockerfileName,
    Platform platform,
    boolean pull,
    Map<String, Secret> secrets,
    Limits limits,
    Long sourceDateEpoch,
    Sandbox sandbox) {

  /** Validates and copies. */
  public BuildOptions {
    Objects.requireNonNull(dockerfileName, "dockerfileName");
    Objects.requireNonNull(platform, "platform");
    secrets = Map.copyOf(secrets);
    limits = limits == null ? Limits.NONE : limits;
    sandbox = sandbox == null ? Sandbox.DEFAULT : sandbox;
  }

  /** Options with docker's default sandbox (no extra hosts, 64 MiB /dev/shm, inherited rlimits). */
  public BuildOptions(String dockerfileName, Platform platform, boolean pull,
      Map<String, Secret> secrets, Limits limits, Long sourceDateEpoch) {
    this(dockerfileName, platform, pull, secrets, limits, sourceDateEpoch, Sandbox.DEFAULT);
  }

  /**
   * A build secret ({@code --secret id=ID,src=PATH|env=VAR}): exactly one of the two is set.
   * Secrets reach RUN steps that mount them and nothing else: not layers, history, logs or keys.
   *
   * @param file the file holding the value, or null
   * @param env the environment variable holding the value, or null
   */
  public record Secret(Path file, String env) {
    /** Requires exactly one source. */
    public Secret {
      if ((file == null) == (env == null)) {
        throw new IllegalArgumentException("a secret needs exactly one of src= and env=");
      }
    }

    @Override
    public String toString() {
      return file != null ? "Secret[file=" + file + "]" : "Secret[env=" + env + "]";
    }
  }

  /**
   * Limits applied to every RUN step; 0 means unlimited.
   *
   * @param memoryBytes memory limit in bytes
   * @param cpuQuotaMicros CPU time per 100 ms period, in microseconds
   * @param pidsMax maximum number of processes
   * @param cgroupParent the cgroup every RUN step's cgroup is made under ({@code
   *     --cgroup-parent}, relative to each hierarchy's root), or null for jbuild's own
   * @throws IllegalArgumentException for a cgroup parent outside the hierarchy ({@code ..})
   */
  public record Limits(long memoryBytes, long cpuQuotaMicros, long pidsMax, String cgroupParent) {
    /** No limits. */
    public static final Limits NONE = new Limits(0, 0, 0);

    public Limits {
      cgroupParent = dev.jbuild.runner.ResourceLimits.checkCgroupParent(cgroupParent);
    }

    /** Limits under jbuild's own parent cgroup. */
    public Limits(long memoryBytes, long cpuQuotaMicros, long pidsMax) {
      this(memoryBytes, cpuQuotaMicros, pidsMax, null);
    }
  }
}
