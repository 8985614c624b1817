package dev.jbuild.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to run one command in a container whose root is an overlay of
 * {@code lowerDirs} with a fresh {@code upperDir}, or, for an {@link InPlaceRunner}, the
 * directory {@code inPlaceRoot} that the caller has materialized and will diff by walking.
 *
 * <p>Immutable. Build with {@link #builder()}; only the root (layer dirs, or the in-place root)
 * and args are required.
 *
 * @param lowerDirs read-only layer dirs, top (most recent) first; at least one
 * @param layersRoot nullable; a directory containing the lower dirs. When set, the helper
 *     changes into it and passes the lower dirs relative to it, which keeps deep layer stacks under
 *     the one-page limit of mount options
 * @param upperDir empty dir receiving the container's changes (the new layer)
 * @param workDir empty overlay work dir on the same file system as {@code upperDir}
 * @param args the command and its arguments (exec form; no shell is added)
 * @param env the complete environment as {@code KEY=VALUE}; nothing is inherited. HOME is added
 *     from the container's /etc/passwd when missing, as runc does
 * @param workingDir absolute working directory; created (owned by the user) if missing
 * @param user {@code name|uid[:group|gid]} resolved against the container's /etc/passwd and
 *     /etc/group; empty means root
 * @param hostname the container's hostname
 * @param network network mode
 * @param mounts extra bind mounts, applied after the generated /etc/hosts, /etc/resolv.conf and
 *     /etc/hostname
 * @param limits resource limits
 * @param noNewPrivileges set no_new_privs (BuildKit leaves it off so sudo works)
 * @param seccomp filter system calls with Docker's default seccomp profile (on by default): an
 *     allow list, so no namespaces, keyrings, bpf, perf, mount APIs, kernel modules or syscalls
 *     newer than the profile; see runner/src/main/c/seccomp.c
 * @param secrets secret files (on a private tmpfs, mounted after {@code mounts}) and secret
 *     environment variables (which override {@code env} entries of the same name); their values
 *     reach the helper only over a pipe, so a spec with secrets cannot run with this JVM's stdin
 *     attached
 * @param inPlaceRoot the root directory of an in-place run, or null for an overlay run
 * @param sandbox extra /etc/hosts lines, the size of /dev/shm and rlimits ({@code docker build
 *     --add-host/--shm-size/--ulimit})
 * @param commandIsPid1 the command itself is PID 1 of its PID namespace, as in BuildKit and
 *     {@code docker run} without {@code --init}: no reaper runs beside it (orphans stay zombies
 *     until it exits, which still kills every process left), and it gets only the signals it
 *     handles. Ignored without a PID namespace (in-place, bound /proc) and with a terminal;
 *     otherwise the command runs as PID 2 under rrun's reaping PID 1
 * @param volatileUpper mount the overlay with {@code volatile} (Linux 5.10+; ignored where the
 *     kernel refuses it): no sync of the upper file system, neither the command's fsyncs nor the
 *     one at unmount, which after a RUN writing 600 MB waited ~0.5 s for the disk. For a build
 *     step's upperdir, which is diffed and then discarded or kept as a snapshot (as Podman does
 *     for {@code --rm} containers); never for an upperdir mounted again later
 */
public record ContainerSpec(
    List<Path> lowerDirs,
    Path layersRoot,
    Path upperDir,
    Path workDir,
    List<String> args,
    List<String> env,
    String workingDir,
    String user,
    String hostname,
    NetworkMode network,
    List<BindMount> mounts,
    ResourceLimits limits,
    boolean noNewPrivileges,
    boolean seccomp,
    List<SecretMount> secrets,
    Path inPlaceRoot,
    Sandbox sandbox,
    boolean commandIsPid1,
    boolean volatileUpper) {

  public ContainerSpec {
    lowerDirs = List.copyOf(lowerDirs);
    if (inPlaceRoot == null) {
      if (lowerDirs.isEmpty()) {
        throw new IllegalArgumentException("a container needs at least one lower dir");
      }
      Objects.requireNonNull(upperDir, "upperDir");
      Objects.requireNonNull(workDir, "workDir");
    } else if (!lowerDirs.isEmpty() || upperDir != null) {
      throw new IllegalArgumentException("an in-place run has no lower or upper dirs");
    }
    args = List.copyOf(args);
    if (args.isEmpty()) {
      throw new IllegalArgumentException("a container needs a command");
    }
    env = List.copyOf(env);
    for (String e : env) {
      if (e.indexOf('=') <= 0) {
        throw new IllegalArgumentException("env entries must be KEY=VALUE: " + e);
      }
    }
    Objects.requireNonNull(workingDir, "workingDir");
    if (!workingDir.startsWith("/")) {
      throw new IllegalArgumentException("working dir must be absolute: " + workingDir);
    }
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(hostname, "hostname");
    if (hostname.isEmpty() || hostname.length() > 64) {
      throw new IllegalArgumentException("hostname must have 1 to 64 characters: " + hostname);
    }
    Objects.requireNonNull(network, "network");
    mounts = List.copyOf(mounts);
    Objects.requireNonNull(limits, "limits");
    secrets = List.copyOf(secrets);
    sandbox = sandbox == null ? Sandbox.DEFAULT : sandbox;
    for (List<String> strings : List.of(args, env, List.of(workingDir, user, hostname))) {
      for (String s : strings) {
        if (s.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("NUL characters are not allowed: " + s);
        }
      }
    }
  }

  /**
   * A builder with Docker's defaults: cwd "/", root, hostname "buildkitsandbox", no network,
   * seccomp on.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link ContainerSpec}; setters return {@code this}. Not thread-safe. */
  public static final class Builder {
    private boolean volatileUpper;
    private final List<Path> lowerDirs = new ArrayList<>();
    private Path layersRoot;
    private Path upperDir;
    private Path workDir;
    private final List<String> args = new ArrayList<>();
    private final List<String> env = new ArrayList<>();
    private String workingDir = "/";
    private String user = "";
    private String hostname = "buildkitsandbox";
    private NetworkMode network = NetworkMode.NONE;
    private final List<BindMount> mounts = new ArrayList<>();
    private ResourceLimits limits = ResourceLimits.none();
    private boolean noNewPrivileges;
    private boolean seccomp = true;
    private final List<SecretMount> secrets = new ArrayList<>();
    private Path inPlaceRoot;
    private Sandbox sandbox = Sandbox.DEFAULT;
    private boolean commandIsPid1;

    private Builder() {}

    /** Extra /etc/hosts lines, /dev/shm's size and rlimits; {@link Sandbox#DEFAULT} if unset. */
    public Builder sandbox(Sandbox sandbox) {
      this.sandbox = sandbox;
      return this;
    }

    /** Makes the command PID 1 of its namespace (see {@link ContainerSpec#commandIsPid1}). */
    public Builder commandIsPid1(boolean commandIsPid1) {
      this.commandIsPid1 = commandIsPid1;
      return this;
    }

    /** Runs in the materialized root directory {@code root} instead of an overlay. */
    public Builder inPlaceRoot(Path root) {
      this.inPlaceRoot = root;
      return this;
    }

    /** Replaces the lower dirs, top first. */
    public Builder lowerDirs(List<Path> lowerDirs) {
      this.lowerDirs.clear();
      this.lowerDirs.addAll(lowerDirs);
      return this;
    }

    public Builder layersRoot(Path layersRoot) {
      this.layersRoot = layersRoot;
      return this;
    }

    public Builder upperDir(Path upperDir) {
      this.upperDir = upperDir;
      return this;
    }

    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /** Replaces the command. */
    public Builder args(List<String> args) {
      this.args.clear();
      this.args.addAll(args);
      return this;
    }

    public Builder args(String... args) {
      return args(List.of(args));
    }

    /** Replaces the environment. */
    public Builder env(List<String> env) {
      this.env.clear();
      this.env.addAll(env);
      return this;
    }

    public Builder workingDir(String workingDir) {
      this.workingDir = workingDir;
      return this;
    }

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    public Builder hostname(String hostname) {
      this.hostname = hostname;
      return this;
    }

    public Builder network(NetworkMode network) {
      this.network = network;
      return this;
    }

    /** Adds a bind mount. */
    public Builder addMount(BindMount mount) {
      this.mounts.add(mount);
      return this;
    }

    /** Adds a secret file or environment variable. */
    public Builder addSecret(SecretMount secret) {
      this.secrets.add(secret);
      return this;
    }

    public Builder limits(ResourceLimits limits) {
      this.limits = limits;
      return this;
    }

    public Builder noNewPrivileges(boolean noNewPrivileges) {
      this.noNewPrivileges = noNewPrivileges;
      return this;
    }

    /** Mounts the overlay {@code volatile}: see {@link ContainerSpec#volatileUpper()}. */
    public Builder volatileUpper(boolean volatileUpper) {
      this.volatileUpper = volatileUpper;
      return this;
    }

    /** Turns the default seccomp filter off (BuildKit's {@code security.insecure}) or on. */
    public Builder seccomp(boolean seccomp) {
      this.seccomp = seccomp;
      return this;
    }

    /** @throws IllegalArgumentException or NullPointerException if a required part is missing */
    public ContainerSpec build() {
      return new ContainerSpec(lowerDirs, layersRoot, upperDir, workDir, args, env, workingDir,
          user, hostname, network, mounts, limits, noNewPrivileges, seccomp, secrets,
          inPlaceRoot, sandbox, commandIsPid1, volatileUpper);
    }
  }
}
