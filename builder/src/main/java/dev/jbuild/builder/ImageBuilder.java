package dev.jbuild.builder;

import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.exec.BaseImageSource;
import dev.jbuild.builder.exec.StageExecutor;
import dev.jbuild.builder.exec.StageResult;
import dev.jbuild.builder.plan.BuildPlan;
import dev.jbuild.builder.plan.BuildPlanner;
import dev.jbuild.builder.plan.StagePlan;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.parser.Dockerfile;
import dev.jbuild.parser.DockerfileParser;
import dev.jbuild.parser.DockerfileSyntaxException;
import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.ArgDecl;
import dev.jbuild.parser.expand.ExpansionException;
import dev.jbuild.parser.expand.VariableExpander;
import dev.jbuild.runner.ContainerRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds images from Dockerfiles: the library entry point behind {@code jbuild build}.
 *
 * <p>Thread-safe: concurrent builds share the store (which is safe for concurrent use) and the
 * runner.
 */
public final class ImageBuilder {
  private final LayerStore store;
  private final ContainerRunner runner;
  private final BaseImageSource bases;
  private final Supplier<Instant> clock;

  /**
   * Creates a builder.
   *
   * @param clock the time recorded in image configs and history; a fixed instant (from {@code
   *     SOURCE_DATE_EPOCH}) makes the metadata reproducible
   */
  public ImageBuilder(LayerStore store, ContainerRunner runner, BaseImageSource bases,
      Supplier<Instant> clock) {
    this.store = store;
    this.runner = runner;
    this.bases = bases;
    this.clock = clock;
  }

  /**
   * Builds {@code request}, stores the image and tags it.
   *
   * @throws BuildException with a one-line message for the user (Dockerfile location, step, reason)
   */
  public BuildResult build(BuildRequest request, BuildListener listener)
      throws BuildException, InterruptedException {
    String source = readDockerfile(request);
    Dockerfile dockerfile;
    try {
      dockerfile = DockerfileParser.parse(source,
          request.dockerfile().getFileName().toString());
    } catch (DockerfileSyntaxException e) {
      throw new BuildException(e.getMessage(), e);
    }
    dockerfile.warnings().forEach(w -> listener.info(
        "WARN: " + request.dockerfile().getFileName() + ":" + w.line() + ": " + w.message()));
    BuildPlan plan;
    try {
      plan = BuildPlanner.plan(dockerfile, source, request.target());
    } catch (IllegalArgumentException e) {
      throw new BuildException(e.getMessage(), e);
    }
    Map<String, String> globalArgs = globalArgs(plan, request);
    StageExecutor executor =
        new StageExecutor(store, runner, bases, request, listener, clock, globalArgs,
            plan.escapeToken());
    Map<Integer, StageResult> done = new HashMap<>();
    StageResult last = null;
    for (StagePlan stage : plan.stages()) {
      StageResult base = stage.baseStage() >= 0 ? done.get(stage.baseStage()) : null;
      last = executor.build(stage, base);
      done.put(stage.stage().index(), last);
    }
    try {
      Image image = store.images().write(last.config(), last.layers());
      listener.info("writing image " + image.id() + " done");
      for (ImageReference tag : request.tags()) {
        store.images().tag(tag, image.manifestDescriptor());
        listener.info("naming to " + tag + " done");
      }
      return new BuildResult(image, request.tags());
    } catch (IOException e) {
      throw new BuildException("Tried to store the built image but failed because: "
          + e.getMessage(), e);
    }
  }

  private static String readDockerfile(BuildRequest request) throws BuildException {
    try {
      return Files.readString(request.dockerfile());
    } catch (NoSuchFileException e) {
      throw new BuildException("failed to read the Dockerfile: " + request.dockerfile()
          + ": no such file or directory", e);
    } catch (IOException e) {
      throw new BuildException("failed to read the Dockerfile " + request.dockerfile() + ": "
          + e.getMessage(), e);
    }
  }

  /** Values of the ARGs before the first FROM: build args override defaults. */
  private static Map<String, String> globalArgs(BuildPlan plan, BuildRequest request)
      throws BuildException {
    Map<String, String> values = new LinkedHashMap<>();
    for (Arg arg : plan.globalArgs()) {
      for (ArgDecl d : arg.args()) {
        String value = request.buildArgs().get(d.name());
        if (value == null && d.hasDefault()) {
          try {
            value = VariableExpander.withEscapeToken(plan.escapeToken())
                .expand(d.defaultValue(), values);
          } catch (ExpansionException e) {
            throw new BuildException(request.dockerfile().getFileName() + ":"
                + arg.range().startLine() + ": " + e.getMessage(), e);
          }
        }
        if (value != null) {
          values.put(d.name(), value);
        }
      }
    }
    return values;
  }
}
