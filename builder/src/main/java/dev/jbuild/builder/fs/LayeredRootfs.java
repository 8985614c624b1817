package dev.jbuild.builder.fs;

import dev.jbuild.layerstore.fs.FileNames;
import dev.jbuild.layerstore.fs.RootedPath;
import dev.jbuild.layerstore.overlay.OverlayFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A read-only view of a stack of overlay lower directories, resolved the way overlayfs merges
 * them: the topmost entry wins, a whiteout (char device 0/0) hides lower entries, directories merge
 * unless the upper one is opaque. Paths are container paths ({@code /etc/passwd}).
 *
 * <p>Immutable and thread-safe as long as the directories do not change.
 */
public final class LayeredRootfs {
  /** Container paths: {@code ..} at the root stays there, Linux's 40-symlink limit. */
  private static final RootedPath IN_CONTAINER = RootedPath.clamped();

  private final List<Path> layersTopFirst;
  private final Predicate<Path> isOpaque;

  /**
   * Creates a view.
   *
   * @param layersTopFirst lower directories, topmost first
   * @param isOpaque tells whether a directory is opaque (see {@link OverlayFormat#isOpaque(Path)})
   */
  public LayeredRootfs(List<Path> layersTopFirst, Predicate<Path> isOpaque) {
    this.layersTopFirst = List.copyOf(layersTopFirst);
    this.isOpaque = isOpaque;
  }

  /**
   * A view of overlay lower directories as this process's snapshots store them: opaque
   * directories carry {@code trusted.overlay.opaque=y} when written by root of the host, {@code
   * user.overlay.opaque=y} in a rootless store ({@link OverlayFormat#forCurrentUser()}).
   */
  public static LayeredRootfs ofSnapshots(List<Path> layersTopFirst) {
    return ofSnapshots(layersTopFirst, OverlayFormat.forCurrentUser());
  }

  /** A view of overlay lower directories whose opaque xattrs are in {@code format}'s namespace. */
  public static LayeredRootfs ofSnapshots(List<Path> layersTopFirst, OverlayFormat format) {
    return new LayeredRootfs(layersTopFirst, format::isOpaque);
  }

  /** The layer directories, topmost first. */
  public List<Path> layersTopFirst() {
    return layersTopFirst;
  }

  /**
   * Finds the host path that provides {@code containerPath} without following a final symlink.
   * Intermediate components must be directories (symlinks are not followed; use {@link #resolve}
   * first).
   *
   * @return the topmost entry, or empty when the path does not exist in the merged view
   */
  public Optional<Path> locate(String containerPath) throws IOException {
    List<String> parts = split(containerPath);
    List<Path> visible = new ArrayList<>(layersTopFirst);
    Path found = null;
    for (int i = 0; i < parts.size(); i++) {
      String name = parts.get(i);
      List<Path> nextVisible = new ArrayList<>();
      found = null;
      for (Path dir : visible) {
        Path p = FileNames.resolve(dir, name);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (isWhiteout(p)) {
          break;
        }
        boolean isDir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
        if (found == null) {
          found = p;
        }
        if (!isDir) {
          break;
        }
        if (!Files.isDirectory(found, LinkOption.NOFOLLOW_LINKS)) {
          break;
        }
        nextVisible.add(p);
        if (isOpaque.test(p)) {
          break;
        }
      }
      if (found == null) {
        return Optional.empty();
      }
      if (i < parts.size() - 1 && !Files.isDirectory(found, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      visible = nextVisible;
    }
    if (found == null) {
      // The root itself: the topmost layer directory carries its attributes.
      return layersTopFirst.isEmpty() ? Optional.empty() : Optional.of(layersTopFirst.get(0));
    }
    return Optional.of(found);
  }

  /**
   * Resolves symlinks in {@code containerPath} inside the container root, as {@code
   * openat2(RESOLVE_IN_ROOT)} would: absolute link targets restart at the container root and
   * {@code ..} never leaves it.
   *
   * @param followLast whether to follow a symlink in the last component too
   * @return the resolved container path (absolute, normalized)
   * @throws IOException on a symlink loop
   */
  public String resolve(String containerPath, boolean followLast) throws IOException {
    // The input is cleaned lexically first (a container path as WORKDIR and COPY make it, Go's
    // path.Clean); ".." inside link targets then applies after the links, as the kernel does.
    try {
      return join(IN_CONTAINER.followingLast(followLast).resolve(split(containerPath),
          (resolved, last) -> {
            Optional<Path> hit = locate(join(resolved));
            return hit.isPresent() && Files.isSymbolicLink(hit.get())
                ? Optional.of(FileNames.string(Files.readSymbolicLink(hit.get())))
                : Optional.empty();
          }));
    } catch (RootedPath.EscapeException e) {
      throw new IOException(e.getMessage() + " resolving " + containerPath, e);
    }
  }

  /**
   * Lists the merged children of directory {@code containerPath} (not following a final symlink),
   * sorted by name: entries of all layers down to the first opaque directory, minus whiteouts.
   *
   * @return child names, empty when the path is not a directory
   */
  public List<String> list(String containerPath) throws IOException {
    List<String> parts = split(containerPath);
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    java.util.Set<String> hidden = new java.util.HashSet<>();
    for (Path dir : visibleDirectories(parts)) {
      try (var children = Files.list(dir)) {
        for (Path c : (Iterable<Path>) children::iterator) {
          String name = FileNames.name(c);
          if (hidden.contains(name) || names.contains(name)) {
            continue;
          }
          if (isWhiteout(c)) {
            hidden.add(name);
          } else {
            names.add(name);
          }
        }
      }
    }
    return new ArrayList<>(names);
  }

  /** The layer directories that contribute to the merged directory at {@code parts}, top first. */
  private List<Path> visibleDirectories(List<String> parts) throws IOException {
    List<Path> visible = new ArrayList<>();
    for (Path layer : layersTopFirst) {
      visible.add(layer);
    }
    for (String name : parts) {
      List<Path> next = new ArrayList<>();
      for (Path dir : visible) {
        Path p = FileNames.resolve(dir, name);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (isWhiteout(p) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          break;
        }
        next.add(p);
        if (isOpaque.test(p)) {
          break;
        }
      }
      visible = next;
      if (visible.isEmpty()) {
        break;
      }
    }
    return visible;
  }

  /** True when {@code containerPath} exists as a directory (after resolving symlinks). */
  public boolean isDirectory(String containerPath) throws IOException {
    Optional<Path> p = locate(resolve(containerPath, true));
    return p.isPresent() && Files.isDirectory(p.get(), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Reads a small text file such as {@code /etc/passwd}; empty when it does not exist. Bytes that
   * are not UTF-8 (a Latin-1 GECOS field in an image's passwd) become U+FFFD instead of failing
   * the read, as the image is untrusted input and other lines must still be found.
   */
  public Optional<String> readString(String containerPath) throws IOException {
    Optional<Path> p = locate(resolve(containerPath, true));
    if (p.isEmpty() || !Files.isRegularFile(p.get(), LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(new String(Files.readAllBytes(p.get()), StandardCharsets.UTF_8));
  }

  /** True for an overlay whiteout: a character device with device number 0/0. */
  public static boolean isWhiteout(Path p) throws IOException {
    return OverlayFormat.isWhiteout(p);
  }

  /**
   * The components of a container path, with {@code .} dropped and {@code ..} applied (never
   * above the root).
   */
  public static List<String> split(String containerPath) {
    return RootedPath.clean(containerPath);
  }

  /** The absolute path of {@code parts}: {@code /a/b}, or {@code /}. */
  public static String join(List<String> parts) {
    return "/" + String.join("/", parts);
  }
}
