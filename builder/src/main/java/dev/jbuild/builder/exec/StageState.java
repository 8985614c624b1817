package dev.jbuild.builder.exec;

import dev.jbuild.builder.plan.StepHeader;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The mutable state of one stage while it is built: the image config so far (history, diff IDs)
 * and its layers. Confined to the thread building the stage.
 */
final class StageState {
  ImageConfig config;
  final List<Layer> layers;
  final boolean useCache;
  boolean lastStepCached;
  /** The time of the last filesystem step (or of the base image), for history entries. */
  String lastCreated;
  /** The platform the stage runs on (cache keys, emulation of its RUN steps). */
  Platform platform;

  StageState(ImageConfig config, List<Layer> layers, boolean useCache) {
    this.config = config;
    this.layers = new ArrayList<>(layers);
    this.useCache = useCache;
  }

  /** Takes the container config and author the plan says the step leaves. */
  void configure(StepHeader step) {
    ImageConfig c = config.withContainerConfig(step.config());
    if (!Objects.equals(c.author(), step.author())) {
      c = new ImageConfig(c.created(), step.author(), c.architecture(), c.os(), c.variant(),
          c.config(), c.rootfs(), c.history());
    }
    config = c;
  }
}
