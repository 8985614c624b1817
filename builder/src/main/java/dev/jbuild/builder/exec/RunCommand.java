package dev.jbuild.builder.exec;

import dev.jbuild.builder.context.FileSource;
import dev.jbuild.builder.context.TreeCopier;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.error.StepFailedException;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.builder.plan.InlineFile;
import dev.jbuild.builder.plan.RunCommandStep;
import dev.jbuild.builder.plan.RunMount;
import dev.jbuild.layerstore.TempDir;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.runner.BindMount;
import dev.jbuild.runner.ContainerSpec;
import dev.jbuild.runner.ExitStatus;
import dev.jbuild.runner.NetworkMode;
import dev.jbuild.runner.ResourceLimits;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.SecretMount;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a planned RUN step in a container over the stage's layers: prepares its mounts (cache
 * directories kept across builds, private copies for bind mounts, tmpfs, secrets) and hands the
 * spec to the runner. Secrets go to the runner in memory only (a private tmpfs file and/or an
 * environment variable of this RUN) and never enter a file, the cache key, the layer or the
 * history; their bytes here are zeroed when the step ends.
 */
final class RunCommand implements FilesystemStep {
  /** BuildKit's limit (session/secrets MaxSecretSize): secrets are small, and held in memory. */
  private static final int MAX_SECRET_BYTES = 500 * 1024;

  private final RunCommandStep step;
  private final BuildEnvironment env;
  private final Origins origins;
  /** False under {@code --no-cache} (or a filter naming the stage): see {@link #prepare}. */
  private final boolean useCache;

  RunCommand(RunCommandStep step, BuildEnvironment env, Origins origins, boolean useCache) {
    this.step = step;
    this.env = env;
    this.origins = origins;
    this.useCache = useCache;
  }

  @Override
  public String cacheKey() throws Exception {
    StringBuilder sb = new StringBuilder(step.cacheKey());
    for (RunMount m : step.mounts()) {
      if (m.type() == RunMount.Type.BIND) {
        // What a bind mount shows is an input too (never so for secrets: their values stay out).
        sb.append("content ").append(m.target()).append(' ')
            .append(new TreeCopier(origins.open(m.origin()), env.checksums())
                .checksum(List.of(m.option("source", ".")))).append('\n');
      } else if (m.type() == RunMount.Type.CACHE && m.options().containsKey("from")) {
        // The base a new cache starts from is an input of the step, as in BuildKit's exec op.
        sb.append("cache base ").append(m.target()).append(' ').append(cacheBase(m))
            .append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * What identifies a cache mount's {@code from=} tree: its layers' diff IDs for a stage or an
   * image (no file is read), else the tree's checksum.
   */
  private String cacheBase(RunMount m) throws Exception {
    List<Layer> layers = origins.layers(m.origin());
    if (layers == null) {
      return new TreeCopier(origins.open(m.origin()), env.checksums()).checksum(List.of("."));
    }
    StringBuilder ids = new StringBuilder(m.origin().describe());
    for (Layer layer : layers) {
      ids.append(' ').append(layer.diffId());
    }
    return Digest.sha256(ids.toString()).toString();
  }

  private BuildException located(String message, Throwable cause) {
    return StepErrors.located(env.options(), step.header(), message, cause);
  }

  @Override
  public void apply(Workspace ws) throws Exception {
    run(ContainerSpec.builder()
        .lowerDirs(ws.snapshot().absoluteLowerDirsTopFirst())
        .layersRoot(ws.snapshot().layersRoot())
        .upperDir(ws.scratch().upperDir())
        .workDir(ws.scratch().workDir())
        // The upperdir is diffed once the step ends, then kept as a snapshot or deleted; it is
        // never mounted again, so nothing is gained by syncing it to disk at unmount.
        .volatileUpper(true));
  }

  /**
   * Runs the step in an in-place runner's root, which the caller has materialized and diffs.
   * Nothing can be mounted there, so mounts and script files are refused with the reason.
   */
  void applyInPlace(Path root) throws Exception {
    if (!step.mounts().isEmpty() || step.script() != null) {
      throw located(step.header().label() + ": RUN --mount and here-document scripts need"
          + " mounts, which in-place isolation cannot make (run jbuild where namespaces are"
          + " allowed, e.g. as root on the host or with rootless mode)", null);
    }
    run(ContainerSpec.builder().inPlaceRoot(root));
  }

  private void run(ContainerSpec.Builder spec) throws Exception {
    // Locked while the step runs, so prune and verify --repair remove it only once we are gone.
    TempDir scratchDir = env.store().newTempDir("run-");
    Path tmp = scratchDir.path();
    List<FileLocks.Held> locks = new ArrayList<>();
    List<byte[]> secretValues = new ArrayList<>();
    try {
      spec.args(step.argv())
          .env(step.processEnv())
          .workingDir(step.workingDir())
          .user(step.user())
          .network(network())
          .limits(limits())
          .sandbox(env.options().sandbox())
          // The command is PID 1, as in BuildKit (and docker run): RUN echo $$ prints 1.
          .commandIsPid1(true);
      if (step.hostname() != null) {
        spec.hostname(step.hostname());
      }
      InlineFile script = step.script();
      if (script != null) {
        Path file = tmp.resolve("script");
        Files.writeString(file, script.content(), StandardCharsets.UTF_8);
        Files.setAttribute(file, "unix:mode", 0755);
        spec.addMount(new BindMount(file, RunCommandStep.scriptPath(script), true));
      }
      int n = 0;
      for (RunMount m : step.mounts()) {
        if (m.type() == RunMount.Type.SECRET) {
          SecretMount secret = secret(m, secretValues);
          if (secret != null) {
            spec.addSecret(secret);
          }
          continue;
        }
        if (m.type() == RunMount.Type.TMPFS) {
          spec.addMount(BindMount.tmpfs(m.target(), m.tmpfsSize()));
          continue;
        }
        Path source = prepare(m, tmp.resolve("mount-" + n++), locks);
        String subpath = m.cacheSubpath();
        // The runner resolves a cache's source= when it mounts, inside the cache and without
        // following links: RUN steps write the cache, and may swap a link in at any moment.
        spec.addMount(subpath == null ? new BindMount(source, m.target(), m.readOnly())
            : BindMount.subpath(source, subpath, m.target(), m.readOnly()));
      }
      StepOutput output = new StepOutput(env.listener(), step.header().label());
      ExitStatus status;
      try (OutputStream out = output.stream(); OutputStream err = output.stream()) {
        status = env.runner().get().run(spec.build(), out, err);
      } catch (RunnerException e) {
        if (BindMount.SUBPATH_STAGE.equals(e.stage()) && e.detail() != null) {
          // BuildKit fails too (testCacheMountSourceEscape); say which mount, in one line.
          throw located(step.header().label() + ": cache mount " + e.detail()
              + (e.detail().contains("symbolic link") ? " (a cache mount's source may not"
              + " follow links, which could lead out of the cache)" : ""), e);
        }
        throw located(step.header().label() + ": " + e.getMessage(), e);
      }
      if (!status.success()) {
        throw new StepFailedException(StepErrors.prefix(env.options(), step.header())
            + step.header().label() + ": process \""
            + String.join(" ", step.argv()) + "\" did not complete successfully: " + describe(status),
            status.exitCode(), output.tail());
      }
    } finally {
      for (byte[] value : secretValues) {
        Arrays.fill(value, (byte) 0);
      }
      for (FileLocks.Held lock : locks) {
        lock.close();
      }
      scratchDir.close();
    }
  }

  private ResourceLimits limits() {
    BuildOptions.Limits l = env.options().limits();
    if (l.memoryBytes() == 0 && l.cpuQuotaMicros() == 0 && l.pidsMax() == 0) {
      return ResourceLimits.none().withCgroupParent(l.cgroupParent());
    }
    return new ResourceLimits(l.memoryBytes(), l.cpuQuotaMicros(),
        l.cpuQuotaMicros() == 0 ? 0 : 100_000, l.pidsMax(), l.cgroupParent());
  }

  /**
   * Makes the host side of a mount: a cache directory kept across builds, a private copy of
   * context or stage files, or a fresh directory for tmpfs.
   *
   * @return the host path to bind
   */
  private Path prepare(RunMount m, Path scratch, List<FileLocks.Held> locks)
      throws Exception {
    switch (m.type()) {
      case CACHE -> {
        String id = m.option("id", m.target());
        String sharing = m.option("sharing", "shared");
        if (sharing.equals("private")) {
          return Files.createDirectories(scratch);
        }
        Path root = env.store().root().resolve("cache/mounts");
        // BuildKit (convert_runmount.go) gives a cache uid/gid/mode only when no source= picks a
        // subdirectory: it mounts a base directory that has them, and that base is part of the
        // cache's key, so the same id with other ownership is another cache (testCacheMountUser
        // after a plain /mycache). A from= base is part of the key too (its layers' IDs).
        boolean owned = m.cacheSubpath() == null && (m.options().containsKey("uid")
            || m.options().containsKey("gid") || m.options().containsKey("mode"));
        String owner = owned ? "\0" + m.option("uid", "0") + ":" + m.option("gid", "0") + ":"
            + m.option("mode", "755") : "";
        boolean seeded = m.options().containsKey("from") && !owned;
        String base = m.options().containsKey("from") ? "\0from " + cacheBase(m) : "";
        String hex = Digest.sha256(id + owner + base).hex();
        Path dir = root.resolve(hex);
        if (sharing.equals("locked")) {
          locks.add(FileLocks.lock(root.resolve(hex + ".lock")));
        }
        if (!owner.isEmpty() && !useCache && Files.isDirectory(dir)) {
          // That base is a step of its own, which --no-cache runs again: a new base, so a new,
          // empty cache (BuildKit keys the cache by the base's ref; testCacheMountModeNoCache).
          // It replaces the old one, which later cached builds would otherwise find again.
          Trees.deleteRecursively(dir);
        }
        if (!Files.isDirectory(dir)) {
          if (seeded) {
            seedCache(m, root, dir);
          } else {
            Files.createDirectories(dir);
            Files.setAttribute(dir, "unix:uid", Integer.parseInt(m.option("uid", "0")));
            Files.setAttribute(dir, "unix:gid", Integer.parseInt(m.option("gid", "0")));
            Files.setAttribute(dir, "unix:mode", Integer.parseInt(m.option("mode", "755"), 8));
          }
        }
        return dir;
      }
      case TMPFS -> {
        return Files.createDirectories(scratch);
      }
      default -> {
        return bindSource(m, scratch);
      }
    }
  }

  /**
   * The secret for a {@code type=secret} mount, its value read into memory only, or null to skip
   * an optional secret that was not given. Messages name the secret, never its value.
   *
   * @param toWipe receives the value's array, which the caller zeroes after the run
   */
  private SecretMount secret(RunMount m, List<byte[]> toWipe) throws Exception {
    String id = m.secretId();
    BuildOptions.Secret secret = env.options().secrets().get(id);
    if (secret == null) {
      if ("true".equals(m.option("required", "false"))) {
        // BuildKit's words (testSecretRequiredWithoutValue), then how to give it.
        throw located("secret " + id + ": not found (give it with --secret id=" + id
            + ",src=FILE or id=" + id + ",env=VAR)", null);
      }
      return null;
    }
    byte[] value;
    if (secret.file() != null) {
      long size = Files.size(secret.file());
      if (size > MAX_SECRET_BYTES) {
        throw located("secret " + id + ": " + secret.file() + " has " + size
            + " bytes; secrets may have at most " + MAX_SECRET_BYTES, null);
      }
      value = Files.readAllBytes(secret.file());
    } else {
      String v = System.getenv(secret.env());
      if (v == null) {
        throw located("secret " + id + ": environment variable " + secret.env()
            + " is not set", null);
      }
      value = v.getBytes(StandardCharsets.UTF_8);
    }
    toWipe.add(value);
    try {
      return new SecretMount(m.target(), m.secretEnv(), value,
          Integer.parseInt(m.option("uid", "0")), Integer.parseInt(m.option("gid", "0")),
          Integer.parseInt(m.option("mode", "400"), 8));
    } catch (IllegalArgumentException e) {
      throw located("secret " + id + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes a new cache that starts as a copy of its {@code from=} tree, as BuildKit makes it from
   * the base's snapshot. The copy is made beside the caches and renamed into place, so a build
   * killed while copying leaves no half cache, and a concurrent build that made it first wins.
   */
  private void seedCache(RunMount m, Path root, Path dir) throws Exception {
    Files.createDirectories(root);
    try (TempDir tmp = env.store().newTempDir("cache-seed-")) {
      UpperDirWriter writer = new UpperDirWriter(tmp.path(),
          new LayeredRootfs(List.of(), p -> false));
      new TreeCopier(origins.open(m.origin()), env.checksums())
          .copy(List.of("."), "/content", writer, null, null);
      try {
        Files.move(tmp.path().resolve("content"), dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // Another build seeded the same cache meanwhile: theirs is the same copy.
      }
    }
  }

  /** A private copy of what a bind mount shows, so a read-write mount never changes the source. */
  private Path bindSource(RunMount m, Path scratch) throws Exception {
    FileSource source = bindTree(m);
    Files.createDirectories(scratch);
    UpperDirWriter writer = new UpperDirWriter(scratch, new LayeredRootfs(List.of(), p -> false));
    new TreeCopier(source, env.checksums())
        .copy(List.of(m.option("source", ".")), "/content", writer, null, null);
    return scratch.resolve("content");
  }

  /** The tree a bind mount reads: the context, or the stage or image named by {@code from}. */
  private FileSource bindTree(RunMount m) throws Exception {
    return origins.open(m.origin());
  }

  /** The runner's network mode for the step's planned network. */
  private NetworkMode network() {
    return switch (step.network()) {
      case HOST -> NetworkMode.HOST;
      case BRIDGE -> NetworkMode.BRIDGE;
      case NONE -> NetworkMode.NONE;
    };
  }

  private static String describe(ExitStatus status) {
    if (status.oomKilled()) {
      return "exit code: " + status.exitCode() + " (RUN step killed: "
          + status.outOfMemoryDetail() + ")";
    }
    if (status.signal() != 0) {
      return "exit code: " + status.exitCode() + " (killed by signal " + status.signal() + ")";
    }
    return "exit code: " + status.exitCode();
  }

}
