package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.fs.FileNames;
import dev.jbuild.layerstore.fs.ExcludedPaths;
import dev.jbuild.layerstore.overlay.OverlayFormat;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One walk of a tree against a {@link TreeSnapshot} of its earlier state, writing the changes as
 * tar entries for {@link WalkingDiffer}. Each directory's sorted listing is merged with the
 * snapshot's sorted block of children: a name only in the snapshot is deleted, a name only in
 * the listing is added (with its whole subtree), a name in both is compared by its stat data.
 * Entries come out in the order {@link TreeWalker} writes an upperdir: by name, a directory
 * before its contents, a whiteout at its name's place.
 */
final class ChangeWalker {
  private final TreeSnapshot before;
  private final LayerOutput out;
  private final LayerOptions options;
  private final ExcludedPaths excluded;
  private final Map<String, String> firstPathByInode = new HashMap<>();
  /** Unchanged directories on the current path, outermost first, written only when needed. */
  private final List<PendingDir> pending = new ArrayList<>();
  /** How many of {@link #pending} have been written because a descendant was. */
  private int written;
  int count;

  private record PendingDir(Path path, String rel, FileStat stat) {}

  ChangeWalker(TreeSnapshot before, LayerOutput out, LayerOptions options) {
    this.before = before;
    this.out = out;
    this.options = options;
    this.excluded = before.excluded();
  }

  /** Diffs the whole tree at the snapshot's root. */
  void walk() throws IOException {
    FileStat root = FileStat.of(before.root());
    if (!root.isDirectory()) {
      throw new IOException("Tried to diff the tree at " + before.root() + " against its"
          + " snapshot but failed because: it is no longer a directory");
    }
    compareDirectory(0, before.root(), "");
  }

  private void compareDirectory(int oldDir, Path dir, String rel) throws IOException {
    List<String> names = TreeSnapshot.sortedChildren(dir, rel, excluded);
    int first = before.firstChild(oldDir);
    int oldCount = before.childCount(oldDir);
    int i = 0;
    int j = 0;
    String oldName = oldCount > 0 ? before.name(first) : null;
    while (oldName != null || j < names.size()) {
      String newName = j < names.size() ? names.get(j) : null;
      int cmp = oldName == null ? 1 : newName == null ? -1 : oldName.compareTo(newName);
      if (cmp < 0) {
        whiteout(rel, oldName);
      } else if (cmp > 0) {
        added(FileNames.resolve(dir, newName), child(rel, newName), newName);
      } else {
        compare(first + i, FileNames.resolve(dir, newName), child(rel, newName), newName);
      }
      if (cmp <= 0) {
        i++;
        oldName = i < oldCount ? before.name(first + i) : null;
      }
      if (cmp >= 0) {
        j++;
      }
    }
  }

  private void compare(int old, Path path, String rel, String name) throws IOException {
    FileStat now = statOrNull(path);
    if (now == null) {
      whiteout(parentOf(rel), name);
      return;
    }
    if (now.format() != before.format(old)) {
      // A directory replaced by a file is just the file: docker's applier removes whatever is
      // at the path before writing a non-directory. A file replaced by a directory gets an
      // opaque marker, as overlayfs marks a directory made over a whiteout opaque and
      // LayerDiffer writes that marker for the upperdir.
      if (now.isDirectory()) {
        addedTree(path, rel, name, now, true);
      } else {
        entry(path, rel, name, now);
      }
      return;
    }
    if (!now.isDirectory()) {
      String target = now.isSymlink() ? FileNames.string(Files.readSymbolicLink(path)) : null;
      if (before.changed(old, now, target)) {
        entry(path, rel, name, now);
      }
      return;
    }
    if (!before.sameInode(old, now) || recreated(old, path, now)) {
      // rm -rf d && mkdir d: a new directory (ext4 may even hand it the old inode number at
      // once; its birth time still differs, which is why the snapshot records it). Overlayfs
      // gives it overlay.opaque and LayerDiffer one .wh..wh..opq (docker's overlay2 does the
      // same); BuildKit's walking differ
      // (continuity fs.Changes) writes a whiteout per removed child instead. The marker is
      // chosen so that a step gives the same layer with and without overlayfs.
      addedTree(path, rel, name, now, true);
      return;
    }
    boolean changed = before.changed(old, now, null);
    if (changed) {
      checkName(rel, name);
      emit(directoryEntry(path, rel, now), null);
    } else {
      pending.add(new PendingDir(path, rel, now));
    }
    compareDirectory(old, path, rel);
    if (!changed) {
      pending.remove(pending.size() - 1);
      written = Math.min(written, pending.size());
    }
  }

  /**
   * True when directory {@code path}, still at entry {@code old}'s inode number, was removed and
   * made again: its birth time differs. Not trusted for a directory with link count 1: overlayfs
   * reports that for a merged directory (upper over lower), which is what a copy-up makes, and a
   * copy-up also gives the directory a new birth time while it keeps its lower children (btrfs
   * reports 1 for every directory, but never reuses inode numbers). A directory remade over a
   * lower one is opaque, upper only, and has its real link count.
   */
  private boolean recreated(int old, Path path, FileStat now) {
    return now.nlink() != 1 && before.reborn(old, before.birthTimes().of(path));
  }

  private void added(Path path, String rel, String name) throws IOException {
    FileStat now = statOrNull(path);
    if (now == null) {
      return; // created and removed again while listing: the tree is not quiescent
    }
    if (now.isDirectory()) {
      addedTree(path, rel, name, now, false);
    } else {
      entry(path, rel, name, now);
    }
  }

  /** Writes a directory that is new at {@code rel}, then everything inside it. */
  private void addedTree(Path dir, String rel, String name, FileStat stat, boolean opaque)
      throws IOException {
    checkName(rel, name);
    emit(directoryEntry(dir, rel, stat), null);
    if (opaque) {
      emit(TarEntry.file(rel + "/" + OverlayFormat.OPAQUE_MARKER, 0600, 0, 0, 0, 0), null);
    }
    for (String childName : TreeSnapshot.sortedChildren(dir, rel, excluded)) {
      added(FileNames.resolve(dir, childName), child(rel, childName), childName);
    }
  }

  private void whiteout(String parentRel, String name) throws IOException {
    emit(TarEntry.file(child(parentRel, OverlayFormat.whiteoutEntry(name)), 0600, 0, 0, 0, 0),
        null);
  }

  /** Writes one non-directory entry, built as {@link TreeWalker} builds it. */
  private void entry(Path path, String rel, String name, FileStat stat) throws IOException {
    checkName(rel, name);
    int perm = stat.mode() & 07777;
    long mtime = mtime(stat);
    Map<String, byte[]> xattrs = keptXattrs(path);
    switch (stat.format()) {
      case Posix.S_IFREG:
        if (stat.nlink() > 1) {
          String first = firstPathByInode.putIfAbsent(stat.dev() + ":" + stat.ino(), rel);
          if (first != null) {
            emit(new TarEntry(rel, TarEntry.Type.HARDLINK, perm, stat.uid(), stat.gid(), 0,
                mtime, first, 0, 0, xattrs), null);
            return;
          }
        }
        TarEntry file = new TarEntry(rel, TarEntry.Type.FILE, perm, stat.uid(), stat.gid(),
            stat.size(), mtime, "", 0, 0, xattrs);
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
          emit(file, in);
        }
        return;
      case Posix.S_IFLNK:
        emit(new TarEntry(rel, TarEntry.Type.SYMLINK, perm, stat.uid(), stat.gid(), 0, mtime,
            FileNames.string(Files.readSymbolicLink(path)), 0, 0, xattrs), null);
        return;
      case Posix.S_IFCHR:
      case Posix.S_IFBLK:
        TarEntry.Type type = stat.format() == Posix.S_IFCHR ? TarEntry.Type.CHAR_DEVICE
            : TarEntry.Type.BLOCK_DEVICE;
        emit(new TarEntry(rel, type, perm, stat.uid(), stat.gid(), 0, mtime, "",
            Posix.major(stat.rdev()), Posix.minor(stat.rdev()), xattrs), null);
        return;
      case Posix.S_IFIFO:
        emit(new TarEntry(rel, TarEntry.Type.FIFO, perm, stat.uid(), stat.gid(), 0, mtime, "", 0,
            0, xattrs), null);
        return;
      default:
        // Sockets cannot be represented in a tar; Docker leaves them out too.
        return;
    }
  }

  private TarEntry directoryEntry(Path dir, String rel, FileStat stat) throws IOException {
    return TarEntry.directory(rel, stat.mode() & 07777, stat.uid(), stat.gid(), mtime(stat))
        .withXattrs(keptXattrs(dir));
  }

  private void emit(TarEntry entry, InputStream content) throws IOException {
    // Unchanged ancestors of this entry come first, outermost first.
    for (; written < pending.size(); written++) {
      PendingDir dir = pending.get(written);
      out.write(directoryEntry(dir.path(), dir.rel(), dir.stat()), null);
      count++;
    }
    out.write(entry, content);
    count++;
  }

  /**
   * Seconds as {@link TreeWalker} computes them ({@code FileTime.to(SECONDS)} truncates toward
   * zero), clamped to {@code SOURCE_DATE_EPOCH}.
   */
  private long mtime(FileStat stat) {
    long seconds = stat.mtimeSec() < 0 && stat.mtimeNsec() > 0 ? stat.mtimeSec() + 1
        : stat.mtimeSec();
    return options.clamp(seconds);
  }

  /**
   * Refuses a changed entry whose name is reserved for whiteouts: written to a layer it would
   * delete a file instead of adding one.
   */
  private static void checkName(String rel, String name) throws IOException {
    if (name.startsWith(OverlayFormat.WHITEOUT_PREFIX)) {
      throw new IOException("Tried to store /" + rel + " in a layer but failed because: names"
          + " starting with " + OverlayFormat.WHITEOUT_PREFIX + " are reserved for whiteouts;"
          + " rename or remove it in the step");
    }
  }

  private static Map<String, byte[]> keptXattrs(Path path) throws IOException {
    Map<String, byte[]> kept = new TreeMap<>();
    for (String xattr : Posix.llistxattr(path)) {
      if (!OverlayFormat.isOverlayXattr(xattr)) {
        Optional<byte[]> value = Posix.lgetxattr(path, xattr);
        value.ifPresent(v -> kept.put(xattr, v));
      }
    }
    return kept;
  }

  private static FileStat statOrNull(Path path) throws IOException {
    try {
      return FileStat.of(path);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static String child(String rel, String name) {
    return rel.isEmpty() ? name : rel + "/" + name;
  }

  private static String parentOf(String rel) {
    int slash = rel.lastIndexOf('/');
    return slash < 0 ? "" : rel.substring(0, slash);
  }
}
