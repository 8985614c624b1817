package dev.jbuild.builder.context;

import dev.jbuild.builder.fs.LayeredRootfs;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/** Relative-path helpers shared by the file sources: cleaning and in-tree symlink resolution. */
final class Paths {
  private static final int MAX_SYMLINKS = 40;

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
    return String.join("/", LayeredRootfs.split(path));
  }


  /** Follows symlinks in every component of {@code rel}, never leaving the tree. */
  static String resolveInside(String rel, LinkReader links) throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    for (String s : rel.split("/")) {
      if (!s.isEmpty() && !s.equals(".")) {
        todo.add(s);
      }
    }
    List<String> done = new ArrayList<>();
    int hops = 0;
    while (!todo.isEmpty()) {
      String name = todo.pollFirst();
      if (name.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      done.add(name);
      Optional<String> target = links.read(String.join("/", done));
      if (target.isPresent()) {
        if (++hops > MAX_SYMLINKS) {
          throw new IOException("too many levels of symbolic links: " + rel);
        }
        done.remove(done.size() - 1);
        if (target.get().startsWith("/")) {
          done.clear();
        }
        List<String> parts = new ArrayList<>();
        for (String s : target.get().split("/")) {
          if (!s.isEmpty() && !s.equals(".")) {
            parts.add(s);
          }
        }
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
      }
    }
    return String.join("/", done);
  }
}
