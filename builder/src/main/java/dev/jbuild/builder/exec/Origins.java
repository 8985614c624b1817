package dev.jbuild.builder.exec;

import dev.jbuild.builder.context.DirectorySource;
import dev.jbuild.builder.context.FileSource;
import dev.jbuild.builder.context.RootfsSource;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.plan.FileOrigin;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.snapshot.Snapshot;
import java.io.IOException;
import java.util.List;

/**
 * Opens the trees that COPY, ADD and bind mounts read: the build context, an earlier stage's
 * result (waiting for it) or an image's layers (pulled if needed), as merged read-only views.
 */
final class Origins {
  private final BuildEnvironment env;
  private final StageResults stages;

  Origins(BuildEnvironment env, StageResults stages) {
    this.env = env;
    this.stages = stages;
  }

  /** The files of {@code origin}. */
  FileSource open(FileOrigin origin) throws BuildException, InterruptedException, IOException {
    List<Layer> layers = layers(origin);
    if (layers != null) {
      return new RootfsSource(rootfsOf(layers), origin.describe());
    }
    if (origin instanceof FileOrigin.Directory d) {
      // A --build-context directory: read in place, its own .dockerignore applied.
      return DirectorySource.namedContext(d.dir(), d.describe());
    }
    return env.context();
  }

  /**
   * The layers of a stage (waiting for it) or an image (resolving it), which identify its files
   * without reading them; null for the context or a directory, which have no layers.
   */
  List<Layer> layers(FileOrigin origin) throws BuildException, InterruptedException {
    if (origin instanceof FileOrigin.Stage s) {
      return stages.await(s.index()).layers();
    }
    if (origin instanceof FileOrigin.Image i) {
      return env.bases().resolve(i.reference(), env.options().platform(),
          env.options().pull()).layers();
    }
    return null;
  }

  /** The layers of an earlier stage (waiting for it). */
  List<Layer> stageLayers(FileOrigin.Stage stage) throws BuildException, InterruptedException {
    return stages.await(stage.index()).layers();
  }

  /** A merged read-only view of layers. */
  LayeredRootfs rootfsOf(List<Layer> layers) throws IOException {
    env.cache().ensureLocal(layers);
    Snapshot snapshot = env.store().snapshots().prepare(layers);
    return LayeredRootfs.ofSnapshots(snapshot.absoluteLowerDirsTopFirst());
  }
}
