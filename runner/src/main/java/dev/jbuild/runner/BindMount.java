package dev.jbuild.runner;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host file or directory bind-mounted into the container (recursively).
 *
 * <p>A missing {@code target} is created in the container's root as an empty file or directory
 * matching the source; the runner removes such stubs from the upperdir after the run.
 *
 * @param source host path; must exist
 * @param target absolute path inside the container; symlinks in it resolve inside the container
 * @param readOnly mount read-only (also nosuid, nodev)
 */
public record BindMount(Path source, String target, boolean readOnly) {
  public BindMount {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    if (!target.startsWith("/")) {
      throw new IllegalArgumentException("bind mount target must be absolute: " + target);
    }
  }
}
