package dev.jbuild.builder.context;

import dev.jbuild.layerstore.fs.RootedPath;
import java.io.IOException;
import java.util.Optional;

/** Relative-path helpers shared by the file sources: cleaning and in-tree symlink resolution. */
final class Paths {
  private static final RootedPath IN_TREE = RootedPath.clamped();

  private Paths() {}

  /** Reads the target of a symlink at a relative path, or empty when it is not a symlink. */
  @FunctionalInterface
  interface LinkReader {
    Optional<String> read(String rel) throws IOException;
  }

  /**
   * Cleans {@code path} to a relative path that cannot leave the tree: {@code ..} stops at the
   * root, as BuildKit treats source paths.
   */
  static String clean(String path) {
    return String.join("/", RootedPath.clean(path));
  }


  /**
   * Follows symlinks in every component of {@code rel}, never leaving the tree ({@link
   * RootedPath}'s rule: {@code ..} applies after the links before it and stays at the root).
   */
  static String resolveInside(String rel, LinkReader links) throws IOException {
    try {
      return String.join("/", IN_TREE.resolve(rel,
          (resolved, last) -> links.read(String.join("/", resolved))));
    } catch (RootedPath.EscapeException e) {
      throw new IOException(e.getMessage() + ": " + rel, e);
    }
  }
}
