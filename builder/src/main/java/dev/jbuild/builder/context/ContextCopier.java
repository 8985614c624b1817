package dev.jbuild.builder.context;

import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.UpperDirWriter;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Copies files from the build context into a step's upperdir with COPY's rules: a directory
 * source copies its contents, several sources or a trailing slash make the destination a
 * directory, a single file onto an existing directory lands inside it. Owners become root (or
 * {@code --chown}), modes and mtimes are kept.
 */
public final class ContextCopier {
  private final Path contextDir;

  /** Copies from {@code contextDir}; the directory is read in place, never copied. */
  public ContextCopier(Path contextDir) {
    this.contextDir = contextDir.toAbsolutePath().normalize();
  }

  /**
   * Copies {@code sources} (context-relative, wildcards allowed) to {@code destination}.
   *
   * @param destination absolute container path; a trailing {@code /} marks a directory
   * @param owner uid and gid for every created entry
   * @param chmod permission bits to force, or -1 to keep the sources'
   * @throws NoSuchFileException when a source matches nothing, with the source as message
   */
  public void copy(List<String> sources, String destination, UpperDirWriter writer, int[] owner,
      int chmod) throws IOException {
    List<Path> matched = new ArrayList<>();
    for (String source : sources) {
      List<Path> m = match(source);
      if (m.isEmpty()) {
        throw new NoSuchFileException("\"/" + clean(source) + "\": not found in the build context");
      }
      matched.addAll(m);
    }
    FileAttrs newDir = FileAttrs.newDirectory(owner[0], owner[1]);
    String dest = writer.lower().resolve(destination, true);
    boolean destIsDir = destination.endsWith("/") || matched.size() > 1;
    if (matched.size() == 1 && Files.isDirectory(matched.get(0))) {
      destIsDir = true;
    }
    if (!destIsDir) {
      destIsDir = Files.isDirectory(writer.hostPath(dest), LinkOption.NOFOLLOW_LINKS)
          || writer.lower().isDirectory(dest);
    }
    if (destIsDir) {
      writer.mkdirs(dest, newDir);
    }
    for (Path src : matched) {
      if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
        copyTree(src, dest, writer, owner, chmod, newDir);
      } else {
        String target = destIsDir ? child(dest, src.getFileName().toString()) : dest;
        copyEntry(src, target, writer, owner, chmod, newDir);
      }
    }
  }

  private void copyTree(Path srcDir, String dest, UpperDirWriter writer, int[] owner, int chmod,
      FileAttrs newDir) throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(srcDir)) {
      for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
        if (p.equals(srcDir)) {
          continue;
        }
        String target = child(dest, srcDir.relativize(p).toString());
        copyEntry(p, target, writer, owner, chmod, newDir);
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          dirs.add(p);
        }
      }
    }
    // Writing children changed the directories' mtimes; put the sources' back, deepest first.
    for (int i = dirs.size() - 1; i >= 0; i--) {
      Path d = dirs.get(i);
      Files.setLastModifiedTime(writer.hostPath(child(dest, srcDir.relativize(d).toString())),
          Files.getLastModifiedTime(d, LinkOption.NOFOLLOW_LINKS));
    }
  }

  private static void copyEntry(Path src, String target, UpperDirWriter writer, int[] owner,
      int chmod, FileAttrs newDir) throws IOException {
    FileAttrs attrs = FileAttrs.read(src).withOwner(owner[0], owner[1]);
    if (chmod >= 0 && !Files.isSymbolicLink(src)) {
      attrs = attrs.withMode(chmod);
    }
    if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
      writer.putDirectory(target, attrs, newDir);
      return;
    }
    Path host = writer.prepareEntry(target, false, newDir);
    if (Files.isSymbolicLink(src)) {
      Files.createSymbolicLink(host, Files.readSymbolicLink(src));
    } else if (Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
      Files.copy(src, host, StandardCopyOption.REPLACE_EXISTING);
    } else {
      throw new IOException("cannot copy special file " + src + " from the build context");
    }
    attrs.apply(host);
  }

  /** Context-relative matches of one source, in sorted order. */
  private List<Path> match(String source) throws IOException {
    String rel = clean(source);
    Path direct = rel.isEmpty() ? contextDir : contextDir.resolve(rel);
    if (!hasWildcard(rel)) {
      return Files.exists(direct, LinkOption.NOFOLLOW_LINKS) ? List.of(direct) : List.of();
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rel);
    int depth = rel.split("/").length;
    List<Path> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(contextDir, depth)) {
      walk.filter(p -> !p.equals(contextDir))
          .filter(p -> matcher.matches(contextDir.relativize(p)))
          .sorted()
          .forEach(out::add);
    }
    return out;
  }

  /** Cleans a source path so it can never leave the context, as BuildKit does. */
  static String clean(String source) {
    List<String> parts = new ArrayList<>();
    for (String s : source.split("/")) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
      } else {
        parts.add(s);
      }
    }
    return String.join("/", parts);
  }

  private static boolean hasWildcard(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
  }

  private static String child(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }
}
