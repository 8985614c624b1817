package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.ImageReference;

/**
 * FROM: starts a stage on an image, on an earlier stage's result, or on nothing. The header's
 * config is the base's with BuildKit's default PATH added and its ONBUILD triggers removed (the
 * planner turned those into the steps that follow).
 *
 * @param header label, line and the stage's starting config
 * @param base what the stage starts from
 */
public record FromBaseStep(StepHeader header, Base base) implements Step {

  /** What a stage starts from. */
  public sealed interface Base {}

  /** {@code FROM scratch}: no layers. */
  public record Scratch() implements Base {}

  /**
   * An image from the store or a registry.
   *
   * @param reference the expanded, parsed reference
   */
  public record Image(ImageReference reference) implements Base {}

  /**
   * An earlier stage of this build.
   *
   * @param index its index in the Dockerfile
   */
  public record Stage(int index) implements Base {}
}
