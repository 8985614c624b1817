package dev.jbuild.builder;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.cache.RemoteBlobException;
import dev.jbuild.builder.cache.RemoteCaches;
import dev.jbuild.builder.context.ChecksumCache;
import dev.jbuild.builder.context.DirectorySource;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.exec.BaseImageSource;
import dev.jbuild.builder.exec.BuildBases;
import dev.jbuild.builder.exec.BuildEnvironment;
import dev.jbuild.builder.exec.BuildOptions;
import dev.jbuild.builder.exec.RunnerSource;
import dev.jbuild.builder.exec.SharedStages;
import dev.jbuild.builder.exec.StageResult;
import dev.jbuild.builder.plan.BuildPlan;
import dev.jbuild.builder.plan.BaseConfigs;
import dev.jbuild.builder.plan.BuildArgs;
import dev.jbuild.builder.plan.BuildChecks;
import dev.jbuild.builder.plan.BuildPlanner;
import dev.jbuild.builder.plan.PlanLints;
import dev.jbuild.builder.plan.PlanOptions;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.diff.LayerOptions;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.parser.DockerfileParser;
import dev.jbuild.parser.ast.CheckOptions;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.Warning;
import dev.jbuild.parser.ignore.DockerIgnore;
import dev.jbuild.runner.CommandRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Builds images from Dockerfiles: the library entry point behind {@code jbuild build} and the
 * Maven plugin ({@code docs/library-api.md} has a runnable example). Stages run in parallel as
 * soon as the stages they read are built; only the stages the target needs run.
 *
 * <p>Contracts: never exits the JVM and never writes to stdout or stderr (progress goes to the
 * {@link BuildListener}, which must be thread-safe); failures the user can act on are {@link
 * BuildException}s with one-line messages. Thread-safe: one builder may run several builds at
 * once, and builders in several threads or processes may share one store (safe for concurrent
 * use; {@code ConcurrentBuildsTest}) and the runner. Callers hold {@link LayerStore#lease()}
 * while building, so that a concurrent prune waits.
 */
public final class ImageBuilder {
  private final LayerStore store;
  private final RunnerSource runner;
  private final BaseImageSource bases;
  private final Supplier<Instant> clock;
  private final RemoteCaches remoteCaches;

  /**
   * Creates a builder.
   *
   * @param clock the time recorded in image configs and history; a fixed instant (from {@code
   *     SOURCE_DATE_EPOCH}) makes the metadata reproducible
   */
  public ImageBuilder(LayerStore store, CommandRunner runner, BaseImageSource bases,
      Supplier<Instant> clock) {
    this(store, () -> runner, bases, clock);
  }

  /**
   * Creates a builder whose runner is created only when a RUN step needs it.
   *
   * @param clock the time recorded in image configs and history
   */
  public ImageBuilder(LayerStore store, RunnerSource runner, BaseImageSource bases,
      Supplier<Instant> clock) {
    this(store, runner, bases, clock, RemoteCaches.NONE);
  }

  /**
   * Creates a builder that reads and writes {@link BuildRequest#cacheFrom()} and {@link
   * BuildRequest#cacheTo()} through {@code remoteCaches} (for example {@code
   * builder.remotecache.RemoteCacheStore}).
   */
  public ImageBuilder(LayerStore store, RunnerSource runner, BaseImageSource bases,
      Supplier<Instant> clock, RemoteCaches remoteCaches) {
    this.store = store;
    this.runner = runner;
    this.bases = bases;
    this.clock = clock;
    this.remoteCaches = remoteCaches;
  }

  /** Where this builder reads and writes {@code --cache-from} and {@code --cache-to}. */
  RemoteCaches remoteCaches() {
    return remoteCaches;
  }

  /**
   * Builds {@code request}, stores the image and tags it (unless {@link
   * BuildRequest#lazyLayers()} left layers in a registry: see {@link BuildResult#stored()}).
   *
   * @param listener receives progress from this and the stages' threads; not closed
   * @return the image and its tags
   * @throws BuildException with a one-line message for the user (Dockerfile location, step,
   *     reason); a {@link dev.jbuild.builder.error.StepFailedException} for a failed RUN step,
   *     with its exit code and output tail
   * @throws InterruptedException when the calling thread is interrupted; the build stops
   */
  public BuildResult build(BuildRequest request, BuildListener listener)
      throws BuildException, InterruptedException {
    return build(request, listener, null);
  }

  /**
   * Like {@link #build(BuildRequest, BuildListener)}; stages whose plan other builds share
   * ({@link SharedStages}, one per multi-platform build) run once for all of them.
   */
  BuildResult build(BuildRequest request, BuildListener listener, SharedStages shared)
      throws BuildException, InterruptedException {
    return build(request, listener, shared, null);
  }

  /**
   * Like {@link #build(BuildRequest, BuildListener, SharedStages)}; with {@code deferredCacheTo}
   * the {@code --cache-to} exports are not written but the build's cache and image are added to
   * it, for one export of every platform's entries ({@link CacheTransfer#exportAll}).
   */
  BuildResult build(BuildRequest request, BuildListener listener, SharedStages shared,
      List<CacheTransfer.Built> deferredCacheTo) throws BuildException, InterruptedException {
    String source;
    Dockerfile dockerfile;
    String fileName = request.dockerfile().getFileName().toString();
    CheckOptions checkArg = BuildChecks.fromBuildArgs(request.planOptions().buildArgs());
    try {
      // Strict UTF-8, as `jbuild parse` reads it: one behaviour and a located error.
      source = DockerfileParser.decode(BuildFiles.readDockerfile(request), fileName);
      dockerfile = DockerfileParser.parse(source, fileName, checkArg);
    } catch (DockerfileSyntaxException e) {
      // BuildKit reports the warnings of the lines before the error (testWarningsBeforeError).
      warn(listener, fileName, e.warnings());
      throw new BuildException(e.getMessage(), e);
    }
    List<String> unconsumed = BuildArgs.unconsumed(dockerfile, request.planOptions().buildArgs());
    if (!unconsumed.isEmpty()) {
      listener.info("WARN: One or more build-args [" + String.join(" ", unconsumed)
          + "] were not consumed");
    }
    BuildBases buildBases = new BuildBases(bases);
    Path contextDir = request.contextDir().toAbsolutePath().normalize();
    DockerIgnore ignore = BuildFiles.ignoreRules(contextDir, request);
    CheckOptions checks = checkArg != null ? checkArg : dockerfile.checkOptions();
    // The checks only planning can make (expansion, bases, .dockerignore, reached stages) join
    // the parser's, after them, so they print alike and count for check=error=true.
    List<Warning> planned = new ArrayList<>();
    PlanLints lints = new PlanLints(dockerfile, checks, ignore, planned::add);
    BuildPlan plan;
    try {
      // oci-layout:// contexts become images in the store, so the planner sees only images.
      plan = plan(request, OciLayoutContexts.resolve(request.planOptions(), store), dockerfile,
          source, buildBases, lints);
    } catch (BuildException e) {
      warn(listener, fileName, BuildChecks.reported(dockerfile, null));
      warn(listener, fileName, planned);
      throw e;
    }
    // After planning, as BuildKit's dispatch: some rules only apply to the stages built.
    List<Warning> warnings = new ArrayList<>(BuildChecks.reported(dockerfile, plan));
    warnings.addAll(planned);
    warn(listener, fileName, warnings);
    BuildChecks.failOnViolation(checks, warnings, fileName);
    Map<Integer, String> identities = shared == null ? Map.of()
        : SharedStages.identities(plan, request.platform());
    // A context in the store's scratch space (`build -` extracts stdin there) is deleted after
    // the build: a cache file named after its path could never be read again, only pile up.
    ChecksumCache checksums = contextDir.startsWith(store.tmp().toAbsolutePath().normalize())
        ? ChecksumCache.inMemory()
        : ChecksumCache.load(store.root().resolve("cache/checksums")
            .resolve(Digest.sha256(contextDir.toString()).hex() + ".sums"));
    LayerOptions layerOptions = LayerOptions.defaults();
    Supplier<Instant> buildClock = clock;
    // The epoch planning resolved (build arg, the environment's, or the Dockerfile's default).
    Long epoch = plan.sourceDateEpoch();
    BuildOptions options = request.options();
    if (epoch != null) {
      Instant fixed = Instant.ofEpochSecond(epoch);
      buildClock = () -> fixed;
      layerOptions = layerOptions.withSourceDateEpoch(epoch);
    }
    if (!Objects.equals(epoch, options.sourceDateEpoch())) {
      options = new BuildOptions(options.dockerfileName(), options.platform(), options.pull(),
          options.secrets(), options.limits(), epoch, options.sandbox());
    }
    BuildCache cache = new BuildCache(store.root().resolve("cache/build"), store.content())
        .withSources(CacheTransfer.open(remoteCaches, request.cacheFrom(), listener));
    BuildEnvironment env = new BuildEnvironment(store, runner, buildBases, options, listener,
        buildClock, cache, checksums,
        DirectorySource.context(contextDir, ignore),
        layerOptions);
    StageResult last;
    boolean lazy;
    try {
      while (true) {
        try {
          last = StageRunner.run(plan, env, shared, identities);
          lazy = CacheTransfer.keepLazy(request, cache, last.layers());
          if (!lazy) {
            cache.ensureLocal(last.layers());
          }
          break;
        } catch (BuildException | RemoteBlobException e) {
          // A cache that cannot deliver what it listed (or omitted) is a miss: build again
          // without it (what already ran locally hits the local cache).
          RemoteBlobException bad = CacheTransfer.remoteCause(e);
          if (bad == null || !CacheTransfer.retryWithout(bad, cache, listener)) {
            throw e;
          }
        }
      }
    } catch (RemoteBlobException e) {
      throw new BuildException(e.getMessage(), e);
    } finally {
      checksums.save();
    }
    Image image;
    try {
      ImageConfig config = withLabels(CacheTransfer.withInlineCache(request, cache, last),
          request.labels());
      if (lazy) {
        image = store.images().compose(config, last.layers());
        listener.info("writing image " + image.id() + " done (not stored: its cached layers stay"
            + " in the registry until pushed)");
      } else {
        image = store.images().write(config, last.layers());
        listener.info("writing image " + image.id() + " done");
        for (ImageReference tag : request.tags()) {
          store.images().tag(tag, image.manifestDescriptor());
          listener.info("naming to " + tag + " done");
        }
      }
    } catch (IOException e) {
      throw new BuildException("Tried to store the built image but failed because: "
          + e.getMessage(), e);
    }
    if (deferredCacheTo != null) {
      deferredCacheTo.add(new CacheTransfer.Built(cache, image));
    } else {
      CacheTransfer.export(remoteCaches, request, cache, image, listener);
    }
    return new BuildResult(image, request.tags(), !lazy);
  }

  /**
   * The config with {@code --label} values set over the Dockerfile's: BuildKit's dockerfile
   * frontend copies its {@code label:} options into the target's config the same way, with no
   * history entry and no effect on the build cache.
   */
  static ImageConfig withLabels(ImageConfig config, Map<String, String> labels) {
    ContainerConfig c = config.containerConfig();
    for (Map.Entry<String, String> label : labels.entrySet()) {
      c = c.withLabel(label.getKey(), label.getValue());
    }
    return labels.isEmpty() ? config : config.withContainerConfig(c);
  }

  private static BuildPlan plan(BuildRequest request, PlanOptions options, Dockerfile dockerfile,
      String source, BuildBases buildBases, PlanLints lints)
      throws BuildException, InterruptedException {
    return BuildPlanner.plan(dockerfile, source, options,
        new BaseConfigs() {
          @Override
          public ImageConfig config(ImageReference ref) throws BuildException {
            return buildBases.resolve(ref, request.platform(), request.pull()).config();
          }

          @Override
          public ImageConfig config(ImageReference ref, Platform platform)
              throws BuildException {
            return buildBases.resolve(ref, platform, request.pull()).config();
          }
        }, lints);
  }

  /** Prints the linter's warnings as {@code WARN: Dockerfile:LINE: Rule: detail}. */
  private static void warn(BuildListener listener, String fileName, List<Warning> warnings) {
    warnings.forEach(w -> listener.info("WARN: " + fileName + ":" + w.line() + ": "
        + w.message()));
  }

}
