package dev.jbuild.builder.context;

import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.layerstore.posix.FileCopy;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.posix.PosixException;
import dev.jbuild.layerstore.posix.Stat;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.OpenOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * COPY and ADD between a {@link FileSource} and a step's upperdir, with BuildKit's rules: a
 * directory source copies its contents, several sources or a trailing slash make the destination a
 * directory, a single file onto an existing directory lands inside it, a source symlink named on
 * the line is followed while symlinks inside copied directories are copied as links. Owners become
 * root's for the context, stay as they are for other stages, or follow {@code --chown}.
 */
public final class TreeCopier {
  /** File type bits of {@code st_mode} (what NIO's {@code unix:mode} holds beyond 07777). */
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFREG = 0100000;
  /** How a copied file is created: exclusively, never through a symlink already there. */
  private static final java.util.Set<OpenOption> CREATE_NEW = java.util.Set.of(
      StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);
  private final FileSource source;
  private final ChecksumCache checksums;
  /** Copied files with several links, by source (dev, inode): the first copy's path. */
  private final Map<String, Path> hardlinks = new java.util.HashMap<>();
  /**
   * What {@link #checksum} stat'ed, by host path, until the copy takes it: a step computes its
   * key and then (on a miss) copies with the same copier, and a second {@code statx} per file
   * was a tenth of a 20k-file COPY's system calls (issue 18). A source that changes in between
   * is copied with the attributes its checksum saw (a build promises nothing for that).
   */
  private final Map<Path, Stat> statted = new java.util.HashMap<>();
  private DockerIgnore exclude;
  private boolean throughLinks;

  /** Copies from {@code source}; {@code checksums} remembers file hashes across builds. */
  public TreeCopier(FileSource source, ChecksumCache checksums) {
    this.source = source;
    this.checksums = checksums;
  }

  /**
   * Hides what {@code exclude} ({@code COPY --exclude}) matches inside each source, the paths
   * taken relative to that source (each match of a wildcard on its own), as BuildKit's copy
   * (tonistiigi/fsutil copy.go) matches its exclude patterns; a named source itself is never
   * excluded. {@code COPY --parents} is not covered: wrap the source in {@link ExcludingSource}.
   */
  public TreeCopier excluding(DockerIgnore exclude) {
    this.exclude = exclude;
    return this;
  }

  /** The source as seen inside the match rooted at {@code rel}: its excludes applied. */
  private FileSource within(String rel) {
    return exclude == null ? source : new ExcludingSource(source, exclude, rel);
  }

  /**
   * Makes directories write through symlinks that the destination already has (resolved inside
   * the rootfs), as extracting an archive does: a layer with {@code var/run -> /run} receives an
   * archive's {@code var/run/x} at {@code /run/x} (testDockerfileAddArchiveThroughAbsoluteSymlink).
   */
  public TreeCopier throughDestinationSymlinks() {
    throughLinks = true;
    return this;
  }

  /**
   * One source entry named on the COPY line.
   *
   * @param rel its resolved path in the source
   * @param host where its bytes are
   * @param name the name it gets when copied into a directory (the name as written)
   */
  record Match(String rel, Path host, String name, String written) {}

  /**
   * Resolves the sources of one COPY/ADD line.
   *
   * @throws NoSuchFileException when a source matches nothing, named as BuildKit does
   */
  List<Match> match(List<String> sources) throws IOException {
    List<Match> matches = new ArrayList<>();
    for (String raw : sources) {
      String rel = Paths.clean(raw);
      List<String> found = Globs.hasWildcard(rel) ? glob(rel) : List.of(rel);
      boolean any = false;
      for (String f : found) {
        String resolved = source.resolve(f);
        Optional<Path> host = source.locate(resolved);
        if (host.isPresent()) {
          String name = f.isEmpty() ? "" : f.substring(f.lastIndexOf('/') + 1);
          matches.add(new Match(resolved, host.get(), name, f));
          any = true;
        }
      }
      if (!any && Globs.hasWildcard(rel)) {
        // BuildKit allows a wildcard to match nothing (AllowEmptyWildcard).
        continue;
      }
      if (!any) {
        throw new NoSuchFileException("\"/" + rel + "\": not found in " + source.describe());
      }
    }
    return matches;
  }

  private List<String> glob(String pattern) throws IOException {
    List<String> current = List.of("");
    for (String part : pattern.split("/")) {
      List<String> next = new ArrayList<>();
      if (Globs.hasWildcard(part)) {
        Pattern p = Globs.compile(part);
        for (String dir : current) {
          for (String child : source.list(dir)) {
            if (p.matcher(child).matches()) {
              next.add(dir.isEmpty() ? child : dir + "/" + child);
            }
          }
        }
      } else {
        for (String dir : current) {
          next.add(dir.isEmpty() ? part : dir + "/" + part);
        }
      }
      current = next;
    }
    return current;
  }

  /**
   * Copies {@code sources} to {@code destination}.
   *
   * @param destination absolute container path; a trailing {@code /} marks a directory
   * @param chown {@code {uid, gid}} for every entry, or null for the source's rule
   * @param chmod permission bits to force on files and directories, which also decide the mode
   *     of the directories the copy creates ({@link #newDirectory}), or null to keep them
   */
  public void copy(List<String> sources, String destination, UpperDirWriter writer, int[] chown,
      Chmod chmod) throws IOException {
    copy(sources, destination, writer, chown, chmod, false);
  }

  /**
   * Copies {@code sources} to {@code destination}; with {@code parents} each source keeps its
   * path relative to the source root under the destination ({@code COPY --parents}).
   */
  public void copy(List<String> sources, String destination, UpperDirWriter writer, int[] chown,
      Chmod chmod, boolean parents) throws IOException {
    if (parents) {
      copyWithParents(sources, destination, writer, chown, chmod);
      return;
    }
    List<Match> matched = match(sources);
    if (matched.isEmpty()) {
      // Only wildcards that matched nothing: BuildKit copies nothing and creates nothing.
      return;
    }
    FileAttrs newDir = newDirectory(chown, chmod);
    String dest = writer.lower().resolve(destination, true);
    boolean destIsDir = destination.endsWith("/") || matched.size() > 1
        || (matched.size() == 1 && Files.isDirectory(matched.get(0).host(), LinkOption.NOFOLLOW_LINKS));
    if (!destIsDir) {
      destIsDir = Files.isDirectory(writer.hostPath(dest), LinkOption.NOFOLLOW_LINKS)
          || writer.lower().isDirectory(dest);
    }
    if (destIsDir) {
      writer.mkdirs(dest, newDir);
    }
    for (Match m : matched) {
      if (Files.isDirectory(m.host(), LinkOption.NOFOLLOW_LINKS)) {
        copyChildren(within(m.rel()), m.rel(), dest, writer, chown, chmod, newDir);
      } else {
        String target = destIsDir ? child(dest, m.name()) : dest;
        copyEntry(m.host(), target, writer, chown, chmod, newDir);
      }
    }
  }

  /**
   * What directories created for the destination get: owned by {@code --chown} or root, with
   * {@link Chmod#createdDirectoryMode()} ({@code --chmod=770} gives a missing {@code /parent/sub}
   * 0770, as current BuildKit's testCopyChmod asserts), or 0755 without {@code --chmod}.
   * Directories that exist already keep their mode.
   *
   * @param chown {@code {uid, gid}}, or null for root
   * @param chmod the step's {@code --chmod}, or null
   */
  public static FileAttrs newDirectory(int[] chown, Chmod chmod) {
    FileAttrs attrs =
        FileAttrs.newDirectory(chown == null ? 0 : chown[0], chown == null ? 0 : chown[1]);
    return chmod == null ? attrs : attrs.withMode(chmod.createdDirectoryMode());
  }

  private void copyWithParents(List<String> sources, String destination, UpperDirWriter writer,
      int[] chown, Chmod chmod) throws IOException {
    FileAttrs newDir = newDirectory(chown, chmod);
    String dest = writer.lower().resolve(destination, true);
    writer.mkdirs(dest, newDir);
    for (ParentsSources.Entry e : new ParentsSources(source).expand(sources)) {
      String target = e.kept().isEmpty() ? dest : child(dest, e.kept());
      if (Files.isDirectory(e.host(), LinkOption.NOFOLLOW_LINKS)) {
        writer.mkdirs(target, newDir);
        copyChildren(source, e.rel(), target, writer, chown, chmod, newDir);
      } else {
        copyEntry(e.host(), target, writer, chown, chmod, newDir);
      }
    }
  }

  private void copyChildren(FileSource from, String srcDir, String destDir, UpperDirWriter writer, int[] chown,
      Chmod chmod, FileAttrs newDir) throws IOException {
    // children() is list() plus locate() of each, in one pass where the source can (the build
    // context answers without an lstat per file).
    for (Map.Entry<String, Path> c : from.children(srcDir).entrySet()) {
      String name = c.getKey();
      String rel = srcDir.isEmpty() ? name : srcDir + "/" + name;
      Path host = c.getValue();
      String target = child(destDir, name);
      if (throughLinks && Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
        String real = writer.lower().resolve(target, true);
        if (!real.equals(target) && writer.lower().isDirectory(real)) {
          writer.mkdirs(real, newDir);
          copyChildren(from, rel, real, writer, chown, chmod, newDir);
          continue;
        }
      }
      FileTime dirMtime = copyEntry(host, target, writer, chown, chmod, newDir);
      if (dirMtime != null) {
        copyChildren(from, rel, target, writer, chown, chmod, newDir);
        // Writing children changed the directory's mtime; put the source's back.
        Files.setLastModifiedTime(writer.hostPath(target), dirMtime);
      }
    }
  }

  /**
   * Copies one entry (a directory without its children).
   *
   * @return the source directory's mtime when {@code src} is a directory (its children are the
   *     caller's), else null
   */
  private FileTime copyEntry(Path src, String target, UpperDirWriter writer, int[] chown,
      Chmod chmod, FileAttrs newDir) throws IOException {
    // One lstat gives everything this needs (owner, mode, type, mtime, link count): a COPY of
    // 20k small files spends its time in such per-file calls (and NIO's attribute map by name
    // in JIT compilation).
    Stat a = statted.remove(src);
    if (a == null) {
      a = Posix.lstat(src);
    }
    int rawMode = a.mode();
    int type = rawMode & S_IFMT;
    FileTime mtime = a.mtime();
    FileAttrs attrs = new FileAttrs(a.uid(), a.gid(), rawMode & 07777, mtime);
    if (chown != null) {
      attrs = attrs.withOwner(chown[0], chown[1]);
    } else if (!source.keepsOwnership()) {
      attrs = attrs.withOwner(0, 0);
    }
    boolean dir = type == S_IFDIR;
    if (chmod != null && type != S_IFLNK) {
      attrs = attrs.withMode(chmod.apply(attrs.mode(), dir));
    }
    if (dir) {
      writer.putDirectory(target, attrs, newDir);
      return mtime;
    }
    String inode = type == S_IFREG && a.nlink() > 1 ? a.dev() + ":" + a.ino() : null;
    if (type == S_IFREG && inode == null) {
      copyRegularFile(src, a.size(), target, writer, attrs, newDir);
      return null;
    }
    Path host = writer.prepareEntry(target, false, newDir);
    Path first = inode == null ? null : hardlinks.get(inode);
    if (first != null && Files.exists(first, LinkOption.NOFOLLOW_LINKS)) {
      // Files hard-linked in the source stay hard-linked, as BuildKit copies them.
      Files.createLink(host, first);
      return null;
    }
    if (inode != null) {
      hardlinks.put(inode, host);
    }
    if (type == S_IFLNK) {
      Files.createSymbolicLink(host, Files.readSymbolicLink(src));
    } else if (type == S_IFREG) {
      Files.copy(src, host, StandardCopyOption.REPLACE_EXISTING);
    } else if (isSocket(src)) {
      // BuildKit's file sync sends a socket as an empty regular file (testCopySocket).
      Files.createFile(host);
    } else {
      throw new IOException("cannot copy special file " + src + " from " + source.describe());
    }
    attrs.apply(host);
    return null;
  }

  /**
   * Copies a regular file with one link in few system calls (a COPY of 20k small files is made of
   * them): the target is created exclusively without a look first ({@code O_EXCL}; only if
   * something is there is it removed and the create tried again), the bytes go in one {@code
   * copy_file_range}, owner, mode and mtime take a call each on the open descriptor ({@link
   * FileCopy}; NIO and a call by path each where it cannot). No {@code Files.copy}, which adds
   * two {@code lstat}s, an {@code access}, an {@code fadvise} and a second transfer.
   */
  private static void copyRegularFile(Path src, long size, String target,
      UpperDirWriter writer, FileAttrs attrs, FileAttrs newDir) throws IOException {
    Path host = writer.prepareNewEntry(target, newDir);
    FileCopy.Result copied = copyNative(src, size, host, attrs);
    if (copied == FileCopy.Result.EXISTS) {
      // Whatever the upperdir has there (a file, a link, a directory) is replaced.
      host = writer.prepareEntry(target, false, newDir);
      copied = copyNative(src, size, host, attrs);
    }
    if (copied == FileCopy.Result.COPIED) {
      return;
    }
    try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS)) {
      FileChannel created;
      try {
        created = FileChannel.open(host, CREATE_NEW);
      } catch (FileAlreadyExistsException e) {
        // Whatever the upperdir has there (a file, a link, a directory) is replaced.
        host = writer.prepareEntry(target, false, newDir);
        created = FileChannel.open(host, CREATE_NEW);
      }
      try (FileChannel out = created) {
        // The size the lstat gave (asking for more costs a second transfer that returns 0): a
        // context changing while it is read is outside what a build promises (threat model).
        long at = 0;
        long n;
        while (at < size && (n = in.transferTo(at, size - at, out)) > 0) {
          at += n;
        }
      }
    }
    attrs.apply(host, false);
  }

  /**
   * {@link FileCopy}: the copy and its attributes through descriptors, in fewer calls than below.
   *
   * @return {@link FileCopy.Result#UNSUPPORTED} when NIO has to do it (nothing touched)
   */
  private static FileCopy.Result copyNative(Path src, long size, Path host, FileAttrs attrs)
      throws IOException {
    java.time.Instant mtime = attrs.mtime().toInstant();
    try {
      return FileCopy.copyNew(src, host, size, attrs.uid(), attrs.gid(), attrs.mode(),
          mtime.getEpochSecond(), mtime.getNano());
    } catch (PosixException e) {
      if (e.call().equals("fchown")) {
        // The rootless message (ids without a mapping) and the rules live in FileAttrs.
        attrs.apply(host, false);
      }
      throw e;
    }
  }

  private static boolean isSocket(Path p) throws IOException {
    return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000)
        == 0140000;
  }

  /**
   * A digest of everything the copy reads: names, types, modes, owners (when kept), link targets
   * and file contents — not mtimes, so touching a file does not invalidate the cache.
   */
  public String checksum(List<String> sources) throws IOException {
    return checksum(sources, false);
  }

  /** Like {@link #checksum(List)}, matching the sources as {@code COPY --parents} does. */
  public String checksum(List<String> sources, boolean parents) throws IOException {
    CopyChecksum sum = new CopyChecksum(source.keepsOwnership(), checksums, statted);
    if (parents) {
      for (ParentsSources.Entry e : new ParentsSources(source).expand(sources)) {
        sum.add(e.kept(), source, e.rel(), e.host());
      }
    } else {
      for (Match m : match(sources)) {
        sum.add(m.name(), within(m.rel()), m.rel(), m.host());
      }
    }
    return sum.hex();
  }

  /**
   * The paths {@code sources} match, as written (wildcards expanded): for ADD, which extracts
   * each archive it matches.
   */
  public List<String> expand(List<String> sources) throws IOException {
    return match(sources).stream().map(Match::written).toList();
  }

  private static String child(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }
}
