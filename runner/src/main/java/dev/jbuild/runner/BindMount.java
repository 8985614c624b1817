package dev.jbuild.runner;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host file or directory bind-mounted into the container (recursively), or a fresh tmpfs
 * ({@link #tmpfs}, {@code RUN --mount=type=tmpfs}).
 *
 * <p>A missing {@code target} is created in the container's root as an empty file or directory
 * matching the source; the runner removes such stubs from the upperdir after the run.
 *
 * @param source host path; must exist; null for a tmpfs
 * @param target absolute path inside the container; symlinks in it resolve inside the container
 * @param readOnly mount read-only (also nosuid, nodev)
 * @param tmpfsSize for a tmpfs its size in bytes (0: the kernel's default, half the RAM); -1 for
 *     a bind mount
 */
public record BindMount(Path source, String target, boolean readOnly, long tmpfsSize) {
  public BindMount {
    if (tmpfsSize < 0) {
      Objects.requireNonNull(source, "source");
    } else if (source != null || readOnly) {
      throw new IllegalArgumentException("a tmpfs mount has no source and is writable");
    }
    Objects.requireNonNull(target, "target");
    if (!target.startsWith("/")) {
      throw new IllegalArgumentException("bind mount target must be absolute: " + target);
    }
  }

  /** A bind mount of {@code source}. */
  public BindMount(Path source, String target, boolean readOnly) {
    this(source, target, readOnly, -1);
  }

  /**
   * A fresh, empty tmpfs on {@code target} (mounted nosuid, as BuildKit's), gone after the run.
   *
   * @param sizeBytes the size limit, rounded up to KiB; 0 for the kernel's default
   */
  public static BindMount tmpfs(String target, long sizeBytes) {
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("tmpfs size must not be negative: " + sizeBytes);
    }
    return new BindMount(null, target, false, sizeBytes);
  }

  /** Whether this is a tmpfs rather than a bind mount. */
  public boolean isTmpfs() {
    return tmpfsSize >= 0;
  }
}
