package dev.jbuild.builder.exec;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.plan.CopyFilesStep;
import dev.jbuild.builder.plan.FromBaseStep;
import dev.jbuild.builder.plan.MakeWorkdirStep;
import dev.jbuild.builder.plan.RunCommandStep;
import dev.jbuild.builder.plan.StagePlan;
import dev.jbuild.builder.plan.Step;
import dev.jbuild.builder.plan.StepHeader;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.diff.TreeSnapshot;
import dev.jbuild.layerstore.diff.WalkingDiffer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.layerstore.snapshot.ChainIds;
import dev.jbuild.layerstore.snapshot.Scratch;
import dev.jbuild.layerstore.snapshot.LiveRoot;
import dev.jbuild.layerstore.snapshot.Snapshot;
import dev.jbuild.runner.InPlaceRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Runs one planned stage: FROM (its base image's or stage's layers), then each step in order.
 * Filesystem steps (RUN, COPY, ADD, WORKDIR) are looked up in the build cache by a content-based
 * key — the ChainID of the layers below plus the step's planned key text and its content
 * checksums — and on a miss write into a fresh overlay upperdir over the stage's snapshot, which
 * {@link LayerDiffer} turns into a layer. Config steps only take the config the plan computed.
 * History entries match BuildKit's ({@code RUN /bin/sh -c make # buildkit}, comment {@code
 * buildkit.dockerfile.v0}).
 *
 * <p>One instance per build; {@link #build} may run for several stages on different threads.
 */
public final class StageExecutor {
  private static final String COMMENT = "buildkit.dockerfile.v0";
  private static final String CACHE_VERSION = BuildCache.VERSION;

  private final BuildEnvironment env;
  private final StageResults stages;
  private final Origins origins;

  /**
   * Creates an executor.
   *
   * @param stages results of other stages, for FROM, COPY --from and RUN --mount from=
   */
  public StageExecutor(BuildEnvironment env, StageResults stages) {
    this.env = env;
    this.stages = stages;
    this.origins = new Origins(env, stages);
  }

  /**
   * Builds {@code stage}.
   *
   * @return the stage's config and layers
   * @throws BuildException naming the Dockerfile line and the step when a step fails
   */
  public StageResult build(StagePlan stage) throws BuildException, InterruptedException {
    StageState state = from(stage);
    for (Step step : stage.steps()) {
      runStep(state, step);
    }
    return new StageResult(state.config, state.layers);
  }

  private void runStep(StageState state, Step step) throws BuildException, InterruptedException {
    StepHeader header = step.header();
    long start = System.nanoTime();
    if (header.numbered()) {
      env.listener().stepStarted(header.label());
    }
    state.lastStepCached = false;
    try {
      state.configure(header);
      if (step instanceof RunCommandStep run) {
        filesystemStep(state, new RunCommand(run, env, origins, state.useCache), header);
      } else if (step instanceof CopyFilesStep copy) {
        filesystemStep(state, new CopyFiles(copy, env, origins), header);
      } else if (step instanceof MakeWorkdirStep workdir) {
        filesystemStep(state, new MakeWorkdir(workdir), header);
      } else if (header.createdBy() != null) {
        history(state, header.createdBy(), null);
      }
    } catch (BuildException | InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw StepErrors.located(env.options(), header, header.label() + ": "
          + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }
    if (header.numbered()) {
      env.listener().stepFinished(header.label(), (System.nanoTime() - start) / 1_000_000,
          state.lastStepCached);
    }
  }

  private StageState from(StagePlan stage) throws BuildException, InterruptedException {
    FromBaseStep from = stage.from();
    String label = from.header().label();
    long start = System.nanoTime();
    if (from.header().numbered()) {
      env.listener().stepStarted(label);
    }
    ImageConfig config;
    List<Layer> layers;
    Platform platform = stage.platformOr(env.options().platform());
    if (from.base() instanceof FromBaseStep.Stage base) {
      StageResult parent = stages.await(base.index());
      config = parent.config();
      layers = parent.layers();
    } else if (from.base() instanceof FromBaseStep.Image base) {
      Image image = env.bases().resolve(base.reference(), platform,
          env.options().pull());
      config = image.config();
      layers = image.layers();
    } else {
      config = ImageConfig.scratch(platform);
      layers = List.of();
    }
    StageState state = new StageState(config, layers, stage.useCache());
    state.platform = platform;
    state.lastCreated = env.options().sourceDateEpoch() != null ? null : config.created();
    state.configure(from.header());
    if (from.header().numbered()) {
      env.listener().stepFinished(label, (System.nanoTime() - start) / 1_000_000, false);
    }
    return state;
  }

  /**
   * Runs a filesystem step through the cache: a hit reuses the recorded layer (or "no change")
   * without running anything; a miss applies the step to a fresh upperdir and records the result.
   */
  private void filesystemStep(StageState state, FilesystemStep step, StepHeader header)
      throws Exception {
    String createdBy = header.createdBy();
    List<Digest> diffIds = state.layers.stream().map(Layer::diffId).toList();
    String below = step.independentOfLower() ? "link"
        : diffIds.isEmpty() ? "scratch" : ChainIds.top(diffIds).toString();
    // The stage's platform, not the build's: a FROM --platform=$BUILDPLATFORM stage gives the
    // same keys whatever the target, so every target's build shares its entries.
    String prefix = CACHE_VERSION + "\n" + state.platform + "\n" + below
        + "\nepoch " + env.options().sourceDateEpoch() + "\n";
    // The chain key is tried first: it needs no file of the stage it reads (see chainCacheKey).
    Optional<String> chainText = step.chainCacheKey();
    Digest chainKey = chainText.isEmpty() ? null
        : Digest.sha256(prefix + "by chain\n" + chainText.get());
    Optional<BuildCache.Hit> hit = state.useCache && chainKey != null
        ? env.cache().get(chainKey) : Optional.empty();
    if (hit.isEmpty()) {
      Digest key = Digest.sha256(prefix + step.cacheKey());
      hit = state.useCache ? env.cache().get(key) : Optional.empty();
      if (hit.isEmpty()) {
        hit = Optional.of(runMissed(state, step, key, header.label()));
      }
      if (chainKey != null) {
        env.cache().put(chainKey, hit.get().layer(), hit.get().created(), key);
      }
    }
    Optional<Layer> layer = hit.get().layer();
    String created;
    if (hit.get().fresh()) {
      created = hit.get().created();
    } else {
      state.lastStepCached = true;
      created = hit.get().created() != null && env.options().sourceDateEpoch() == null
          ? hit.get().created() : env.clock().get().toString();
    }
    // A cached step keeps the time it was first built, as BuildKit does, so that an unchanged
    // rebuild produces the same config and image ID.
    state.lastCreated = created;
    history(state, createdBy, layer.orElse(null));
  }

  /** Runs a step that missed the cache and records its result under {@code key}. */
  private BuildCache.Hit runMissed(StageState state, FilesystemStep step, Digest key,
      String label) throws Exception {
    // Overlaps the native library's first load (seconds on a busy machine) with the step.
    LayerDiffer.preloadInBackground();
    if (step instanceof RunCommand) {
      // Only a RUN that actually runs needs the platform's binaries to execute here.
      Emulation.require(state.platform);
    }
    Optional<Layer> layer = step instanceof RunCommand run
        && env.runner().get() instanceof InPlaceRunner inPlace
        ? Optional.of(inLiveRoot(state, run, inPlace, label)) : inScratch(state, step);
    if (layer.isEmpty()) {
      // BuildKit keeps a layer for every filesystem step, an empty tar when nothing changed.
      layer = Optional.of(emptyLayer());
    }
    String created = env.clock().get().toString();
    env.cache().put(key, layer, created);
    return BuildCache.Hit.fresh(layer, created);
  }

  /**
   * Applies {@code step} to a fresh upperdir over the stage's current layers and turns what it
   * wrote into a layer (none when nothing changed). The upperdir is always removed.
   */
  private Optional<Layer> inScratch(StageState state, FilesystemStep step) throws Exception {
    if (!step.independentOfLower()) {
      env.cache().ensureLocal(state.layers);
    }
    Snapshot snapshot = env.store().snapshots().prepare(
        step.independentOfLower() ? List.of() : state.layers);
    List<Path> lowers = step.independentOfLower() ? List.of()
        : snapshot.absoluteLowerDirsTopFirst();
    LayeredRootfs lower = LayeredRootfs.ofSnapshots(lowers);
    try (Scratch scratch = env.store().snapshots().newScratch()) {
      step.apply(new Workspace(snapshot, scratch, lower));
      // The next step's lower is this upperdir: it is published as a snapshot rather than the
      // layer unpacked again (with the summary the diff's walk made, rather than a second walk),
      // and the layer's blob is written from it only when something reads it (push, save): a
      // RUN writing 600 MB then writes 600 MB, not twice that.
      boolean adopt = !step.independentOfLower() && env.options().sourceDateEpoch() == null;
      LayerDiffer.Summarized diff = LayerDiffer.diffAndSummarize(scratch.upperDir(), lowers,
          env.store().content(), env.layerOptions(), !adopt);
      Optional<Layer> layer = diff.layer();
      if (layer.isPresent() && adopt) {
        env.store().adoptStep(state.layers, layer.get(), scratch, diff.upperDir(), lowers,
            env.layerOptions());
      }
      return layer;
    }
  }

  /**
   * Runs {@code run} in an in-place runner's root (modes that cannot mount): the root is made to
   * hold the stage's layers, the step runs there, and its changes are found by walking the root
   * against a stat snapshot taken before it. Steps take turns in the one root. Writes into the
   * surrounding container's volumes, which the walk skips, get a warning ({@link VolumeWatch}).
   *
   * @return the step's layer (an empty one when nothing changed)
   */
  private Layer inLiveRoot(StageState state, RunCommand run, InPlaceRunner runner, String label)
      throws Exception {
    env.cache().ensureLocal(state.layers);
    LiveRoot live = LiveRoots.of(runner, env.store().content());
    live.lock().lock();
    try {
      live.materialize(state.layers);
      TreeSnapshot before = TreeSnapshot.take(live.root(), live.keptPaths());
      Layer layer;
      VolumeWatch volumes = VolumeWatch.start(live.root(), runner.volumes(),
          List.of(env.store().root()));
      try {
        run.applyInPlace(live.root());
        String warning = VolumeWatch.warning(label, volumes.changed());
        if (warning != null) {
          env.listener().info(warning);
        }
        layer = WalkingDiffer.diff(before, env.store().content(), env.layerOptions())
            .orElse(null);
        if (layer == null) {
          layer = emptyLayer();
        }
      } catch (Exception e) {
        // Whatever the step did stays in the root: the next step starts from a clean tree.
        live.invalidate();
        throw e;
      }
      live.advance(layer);
      return layer;
    } finally {
      live.lock().unlock();
    }
  }

  /** The layer of a step that changed nothing: an empty tar (two zero blocks). */
  private Layer emptyLayer() throws IOException {
    return LayerDiffer.fromTar(new java.io.ByteArrayInputStream(new byte[1024]),
        env.store().content(), env.layerOptions());
  }

  /**
   * Records a history entry. Steps without a layer take the time of the last filesystem step
   * (or of the base image), so times only move when something was really built.
   */
  private void history(StageState state, String createdBy, Layer layer) {
    String created = state.lastCreated != null ? state.lastCreated
        : env.clock().get().toString();
    ImageConfig.History entry = new ImageConfig.History(created, null, createdBy, COMMENT,
        layer == null ? Boolean.TRUE : null);
    state.config = state.config.withStep(entry, layer == null ? null : layer.diffId())
        .withCreated(created);
    if (layer != null) {
      state.layers.add(layer);
    }
  }
}
