package dev.jbuild.layerstore.fs;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The subtrees of a root filesystem that a walking diff never looks at: kernel file systems
 * ({@code proc}, {@code sys}, {@code dev}), jbuild's own directory, and bind-mount targets such as
 * {@code etc/hosts} and {@code etc/resolv.conf} that must never be committed. An excluded path
 * is neither recorded nor compared, so it gives no added, changed or deleted entry, and nothing
 * below it is walked.
 *
 * <p>Paths are relative to the root, with {@code /} separators; a leading {@code /} is accepted
 * and dropped ({@code /proc} and {@code proc} are the same). Immutable and thread-safe.
 */
public final class ExcludedPaths {
  /** Nothing excluded. */
  public static final ExcludedPaths NONE = new ExcludedPaths(Set.of());

  private final Set<String> excluded;
  /** Every proper ancestor of an excluded path ("" for the root), so walks test few names. */
  private final Set<String> ancestors;

  private ExcludedPaths(Set<String> excluded) {
    this.excluded = Collections.unmodifiableSet(new TreeSet<>(excluded));
    Set<String> parents = new HashSet<>();
    for (String path : excluded) {
      for (int slash = path.lastIndexOf('/'); ; slash = path.lastIndexOf('/', slash - 1)) {
        parents.add(slash < 0 ? "" : path.substring(0, slash));
        if (slash <= 0) {
          break;
        }
      }
    }
    this.ancestors = Set.copyOf(parents);
  }

  /**
   * Validates and normalizes {@code paths}.
   *
   * @throws IllegalArgumentException if a path is empty, the root itself, or has an empty,
   *     {@code .} or {@code ..} component (it would not name one subtree of the root)
   */
  public static ExcludedPaths of(Collection<String> paths) {
    Set<String> normalized = new HashSet<>();
    for (String path : paths) {
      String p = path.startsWith("/") ? path.substring(1) : path;
      if (p.endsWith("/")) {
        p = p.substring(0, p.length() - 1);
      }
      if (p.isEmpty()) {
        throw new IllegalArgumentException("excluded path '" + path + "' names the root itself;"
            + " exclude subtrees such as /proc or /etc/hosts");
      }
      for (String part : p.split("/", -1)) {
        if (part.isEmpty() || part.equals(".") || part.equals("..") || part.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("excluded path '" + path + "' is not a plain path"
              + " inside the root (no empty, '.' or '..' components)");
        }
      }
      normalized.add(p);
    }
    return new ExcludedPaths(normalized);
  }

  /**
   * True when {@code childRel} is excluded. {@code parentRel} is its parent's relative path;
   * passing it lets the common case (no exclusion below this parent) skip building the child's
   * path at all.
   */
  public boolean excludes(String parentRel, String name) {
    if (!ancestors.contains(parentRel)) {
      return false;
    }
    return excluded.contains(parentRel.isEmpty() ? name : parentRel + "/" + name);
  }

  /** True when {@code rel} is excluded or inside an excluded subtree. */
  public boolean covers(String rel) {
    for (String path : excluded) {
      if (rel.equals(path) || rel.startsWith(path + "/")) {
        return true;
      }
    }
    return false;
  }

  /** True when an excluded path lies strictly below {@code rel} ({@code ""} is the root). */
  public boolean hasExcludedBelow(String rel) {
    return ancestors.contains(rel);
  }

  /**
   * Deletes {@code path} (relative path {@code rel}) recursively, except excluded subtrees and
   * the directories that lead to them, which stay in place.
   */
  public void deleteExcept(java.nio.file.Path path, String rel) throws java.io.IOException {
    if (covers(rel)) {
      return;
    }
    if (!hasExcludedBelow(rel)
        || !java.nio.file.Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Trees.deleteRecursively(path);
      return;
    }
    try (var children = java.nio.file.Files.list(path)) {
      for (java.nio.file.Path child : (Iterable<java.nio.file.Path>) children::iterator) {
        String name = FileNames.name(child);
        deleteExcept(child, rel.isEmpty() ? name : rel + "/" + name);
      }
    }
  }

  /** The normalized paths, sorted. */
  public Set<String> paths() {
    return excluded;
  }
}
