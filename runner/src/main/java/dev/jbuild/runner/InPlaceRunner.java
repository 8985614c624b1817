package dev.jbuild.runner;

import java.nio.file.Path;
import java.util.List;

/**
 * A runner for places where nothing can be mounted (root in an unprivileged container, a default
 * Kubernetes pod): commands run in one root directory as it is, {@link #root()}, which the caller
 * fills with the image's layers beforehand and diffs by walking afterwards, as Kaniko does. Specs
 * for it set {@link ContainerSpec#inPlaceRoot()} to {@link #root()} and have no lower or upper
 * dirs.
 *
 * <p>There is one root, so callers run one command in it at a time.
 */
public interface InPlaceRunner extends CommandRunner {
  /** The directory commands run in: {@code /} in jbuild's executor image. */
  Path root();

  /**
   * Paths under {@link #root()} (relative, {@code /}-separated) that belong to the host and
   * never to an image: kernel file systems, jbuild's own directory, bind-mounted files such as
   * {@code etc/hosts}. Callers never wipe, write or diff them.
   */
  List<String> hostPaths();

  /**
   * The mount points under {@link #root()} (relative, {@code /}-separated, a subset of {@link
   * #hostPaths()}) that are volumes of the surrounding container: the build context, an output
   * or cache directory, the store. A command may write into them, but what it writes there is
   * never part of an image, so callers warn when that happens. Kernel file systems, {@code /dev},
   * the engine's bind-mounted {@code /etc} files and volumes holding the runner's own state are
   * not listed.
   */
  default List<String> volumes() {
    return List.of();
  }
}
