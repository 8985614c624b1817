package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.ImageReference;
import java.nio.file.Path;

/**
 * Where the files of a COPY, ADD or bind mount come from: the build context, an earlier stage
 * ({@code --from=name}) or an image ({@code --from=busybox}).
 */
public sealed interface FileOrigin {
  /** The build context, {@code .dockerignore} applied. */
  FileOrigin CONTEXT = new Context();

  /** A short description for cache keys and messages: {@code context}, {@code stage build}. */
  String describe();

  /** The build context. */
  record Context() implements FileOrigin {
    @Override
    public String describe() {
      return "context";
    }
  }

  /**
   * An earlier stage of this build.
   *
   * @param index the stage's index in the Dockerfile
   * @param reference how the Dockerfile named it (name or index), for messages
   */
  record Stage(int index, String reference) implements FileOrigin {
    @Override
    public String describe() {
      return "stage " + reference;
    }
  }

  /**
   * An image, resolved (and pulled if needed) when the step runs.
   *
   * @param reference the image
   * @param written how the Dockerfile wrote it, for messages
   */
  record Image(ImageReference reference, String written) implements FileOrigin {
    @Override
    public String describe() {
      return "image " + written;
    }
  }

  /**
   * A local directory given as a named context ({@code --build-context NAME=DIR}).
   *
   * @param dir the directory, absolute
   * @param name the context's name, for messages
   */
  record Directory(Path dir, String name) implements FileOrigin {
    @Override
    public String describe() {
      return "context " + name;
    }
  }
}
