package dev.jbuild.builder.fs;

import dev.jbuild.layerstore.fs.FileNames;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

/**
 * Writes into an overlay upperdir the way the kernel would if the same change were made through
 * the merged mount: a directory that exists below is "copied up" (created in the upperdir with its
 * lower owner and mode) before anything is written inside it. The result is diffed like any RUN
 * step's upperdir.
 *
 * <p>Not thread-safe; one writer per upperdir.
 */
public final class UpperDirWriter {
  private final Path upperDir;
  private final LayeredRootfs lower;
  /**
   * Container directories {@link #mkdirs} has made or found to be directories in the upperdir.
   * Only this writer changes the upperdir while it writes, and the only thing that can turn such
   * a directory into something else is {@link #prepareEntry}'s delete, which clears the map: a
   * COPY of many files into one directory checks its parents once, not once per file. Values
   * are the directories' paths in the upperdir.
   */
  private final java.util.Map<String, Path> knownDirs = new HashMap<>();

  /** Creates a writer for {@code upperDir} over the {@code lower} view. */
  public UpperDirWriter(Path upperDir, LayeredRootfs lower) {
    this.upperDir = upperDir;
    this.lower = lower;
  }

  /** The lower view. */
  public LayeredRootfs lower() {
    return lower;
  }

  /** Host path in the upperdir for a container path, without creating anything. */
  public Path hostPath(String containerPath) {
    Path p = upperDir;
    for (String part : LayeredRootfs.split(containerPath)) {
      p = FileNames.resolve(p, part);
    }
    return p;
  }

  /**
   * Makes {@code containerDir} (already symlink-resolved) a directory in the merged view: existing
   * directories are copied up, missing ones are created with {@code newDirAttrs} (BuildKit creates
   * them 0755 root:root unless told otherwise).
   *
   * @return the directory's path in the upperdir
   * @throws NotDirectoryException if a component exists and is not a directory
   */
  public Path mkdirs(String containerDir, FileAttrs newDirAttrs) throws IOException {
    List<String> parts = LayeredRootfs.split(containerDir);
    String joined = LayeredRootfs.join(parts);
    Path known = knownDirs.get(joined);
    if (known != null) {
      return known;
    }
    Path host = upperDir;
    for (int i = 0; i < parts.size(); i++) {
      String containerPath = LayeredRootfs.join(parts.subList(0, i + 1));
      host = FileNames.resolve(host, parts.get(i));
      if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        throw new NotDirectoryException(containerPath);
      }
      Optional<Path> below = lower.locate(containerPath);
      if (below.isPresent() && !Files.isDirectory(below.get(), LinkOption.NOFOLLOW_LINKS)) {
        throw new NotDirectoryException(containerPath);
      }
      Files.createDirectory(host);
      FileAttrs attrs = below.isPresent() ? FileAttrs.read(below.get()) : newDirAttrs;
      attrs.apply(host);
    }
    knownDirs.put(joined, host);
    return host;
  }

  /**
   * Prepares the upperdir to receive a new entry at {@code containerPath}: copies up its parent
   * and removes whatever the upperdir already has at that path unless both are directories.
   *
   * @return the host path to create the entry at
   */
  public Path prepareEntry(String containerPath, boolean entryIsDirectory, FileAttrs newDirAttrs)
      throws IOException {
    List<String> parts = LayeredRootfs.split(containerPath);
    if (parts.isEmpty()) {
      return upperDir;
    }
    mkdirs(LayeredRootfs.join(parts.subList(0, parts.size() - 1)), newDirAttrs);
    Path host = hostPath(containerPath);
    if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)
        && !(entryIsDirectory && Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS))) {
      knownDirs.clear();
      deleteRecursively(host);
    }
    return host;
  }

  /**
   * Like {@link #prepareEntry} for a new non-directory entry, without looking whether the
   * upperdir already has one: for a caller that creates the entry exclusively ({@code O_EXCL})
   * and, when that fails because something is there, calls {@link #prepareEntry} and tries again.
   * Saves an {@code lstat} per file.
   *
   * @return the host path to create the entry at
   */
  public Path prepareNewEntry(String containerPath, FileAttrs newDirAttrs) throws IOException {
    // A plain name in a directory already made (keys are clean paths): what splitting, joining
    // and resolving component by component would give, without doing it for every file.
    int slash = containerPath.lastIndexOf('/');
    if (slash >= 0) {
      Path parent = knownDirs.get(slash == 0 ? "/" : containerPath.substring(0, slash));
      String name = containerPath.substring(slash + 1);
      if (parent != null && !name.isEmpty() && !name.equals(".") && !name.equals("..")) {
        return FileNames.resolve(parent, name);
      }
    }
    List<String> parts = LayeredRootfs.split(containerPath);
    if (parts.isEmpty()) {
      return upperDir;
    }
    mkdirs(LayeredRootfs.join(parts.subList(0, parts.size() - 1)), newDirAttrs);
    return hostPath(containerPath);
  }

  /** Creates the directory entry {@code containerPath} with {@code attrs} (merging if present). */
  public Path putDirectory(String containerPath, FileAttrs attrs, FileAttrs newDirAttrs)
      throws IOException {
    Path host = prepareEntry(containerPath, true, newDirAttrs);
    try {
      Files.createDirectory(host);
    } catch (FileAlreadyExistsException e) {
      // A directory over a directory keeps its place; only the attributes change.
    }
    attrs.apply(host);
    return host;
  }

  /** Re-applies a directory's mtime after its children were written. */
  public static void restoreMtime(Path dir, FileTime mtime) throws IOException {
    Files.setLastModifiedTime(dir, mtime);
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (var children = Files.list(p)) {
        for (Path c : (Iterable<Path>) children::iterator) {
          deleteRecursively(c);
        }
      }
    }
    Files.delete(p);
  }
}
