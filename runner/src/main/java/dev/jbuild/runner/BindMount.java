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
 * @param subpath null, or a relative path of names (no {@code .}, {@code ..} or empty parts):
 *     bind {@code source/subpath} instead of {@code source}, resolved by the runner when it mounts,
 *     inside {@code source}, refusing any symlink on the way (see {@link #subpath})
 */
public record BindMount(Path source, String target, boolean readOnly, long tmpfsSize,
    String subpath) {
  /** The runner's stage name when a {@link #subpath} cannot be opened safely. */
  public static final String SUBPATH_STAGE = "mount subpath";

  public BindMount {
    if (tmpfsSize < 0) {
      Objects.requireNonNull(source, "source");
    } else if (source != null || readOnly || subpath != null) {
      throw new IllegalArgumentException("a tmpfs mount has no source and is writable");
    }
    Objects.requireNonNull(target, "target");
    if (!target.startsWith("/")) {
      throw new IllegalArgumentException("bind mount target must be absolute: " + target);
    }
    if (subpath != null && !cleanRelative(subpath)) {
      throw new IllegalArgumentException("bind mount subpath must be a relative path of names"
          + " (no '.', '..' or empty parts): " + subpath);
    }
  }

  /** A bind mount of {@code source} or a tmpfs (see the record's parameters). */
  public BindMount(Path source, String target, boolean readOnly, long tmpfsSize) {
    this(source, target, readOnly, tmpfsSize, null);
  }

  /** A bind mount of {@code source}. */
  public BindMount(Path source, String target, boolean readOnly) {
    this(source, target, readOnly, -1, null);
  }

  /**
   * A bind mount of {@code root/subpath} where the content of {@code root} is untrusted (a cache
   * directory that RUN steps write): the runner resolves {@code subpath} in the kernel, inside
   * {@code root}, at the moment it mounts, and fails the run if any part of it is a symlink or
   * does not exist, so no link (however swapped in) can lead the mount out of {@code root}.
   * Such a failure is a {@link RunnerException} with {@link RunnerException#stage()} {@value
   * #SUBPATH_STAGE}.
   *
   * @param subpath a relative path of names, e.g. {@code go/pkg}
   */
  public static BindMount subpath(Path root, String subpath, String target, boolean readOnly) {
    return new BindMount(root, target, readOnly, -1, Objects.requireNonNull(subpath, "subpath"));
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

  private static boolean cleanRelative(String path) {
    if (path.isEmpty() || path.startsWith("/")) {
      return false;
    }
    for (String name : path.split("/", -1)) {
      if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether this is a tmpfs rather than a bind mount. */
  public boolean isTmpfs() {
    return tmpfsSize >= 0;
  }
}
