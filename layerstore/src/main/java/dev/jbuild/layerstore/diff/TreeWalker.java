package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.fs.FileNames;
import dev.jbuild.layerstore.fs.TreeSummary;
import dev.jbuild.layerstore.overlay.OverlayFormat;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.posix.Stat;
import dev.jbuild.layerstore.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One walk of a tree into tar entries for {@link LayerDiffer}: an overlay upperdir converted with
 * {@link OverlayFormat}'s rules (whiteouts, opaque directories, overlay xattrs stripped,
 * copied-up but unchanged directories left out), or a whole tree as is. Entries are sorted by
 * name and hardlinks kept by (dev, ino), so the same tree gives the same tar.
 */
final class TreeWalker {
  private final LayerOutput out;
  private final List<Path> lowers;
  private final boolean overlay;
  private final LayerOptions options;
  private final Map<String, String> firstPathByInode = new HashMap<>();
  /** Fed every entry of the walked tree when the caller wants its summary too, else null. */
  private final TreeSummary.Accumulator summary;
  /** Skipped (unchanged) directories on the current path, outermost first. */
  private final List<TarEntry> pending = new ArrayList<>();
  /** How many of {@link #pending} have been written because a descendant was. */
  private int written;
  int count;

  TreeWalker(LayerOutput out, List<Path> lowers, boolean overlay, LayerOptions options) {
    this(out, lowers, overlay, options, null);
  }

  /**
   * A walker that also feeds {@code summary} every entry of the tree, whiteouts and sockets
   * included, in {@link TreeSummary#of}'s order (the walk's own: sorted, depth first).
   */
  TreeWalker(LayerOutput out, List<Path> lowers, boolean overlay, LayerOptions options,
      TreeSummary.Accumulator summary) {
    this.out = out;
    this.lowers = lowers;
    this.overlay = overlay;
    this.options = options;
    this.summary = summary;
  }

  void walkDirectory(Path dir, String rel) throws IOException {
    // Sorted by name as strings (the order the tar keeps): names are taken once, not made
    // again from the paths in every comparison. The listed path is kept, so a name that is not
    // UTF-8 is still read from the file it names.
    List<Child> children = new ArrayList<>();
    try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
      for (Path child : list) {
        children.add(new Child(FileNames.name(child), child));
      }
    }
    children.sort(Child.BY_NAME);
    for (Child c : children) {
      visit(c.path, rel.isEmpty() ? c.name : rel + "/" + c.name, rel, c.name);
    }
  }

  /** A listed entry and its name. */
  private record Child(String name, Path path) {
    static final java.util.Comparator<Child> BY_NAME = (a, b) -> a.name.compareTo(b.name);
  }

  private void visit(Path path, String rel, String parentRel, String name) throws IOException {
    // One statx with fixed fields: NIO's attribute map by name cost a 20k-file layer more in
    // JIT compilation than in the calls.
    Stat a = Posix.lstat(path);
    int mode = a.mode();
    int format = mode & Posix.S_IFMT;
    long uid = a.uid() & 0xffffffffL;
    long gid = a.gid() & 0xffffffffL;
    FileTime modified = a.mtime();
    long mtime = options.clamp(modified.to(TimeUnit.SECONDS));
    long rdev = a.rdev();
    long size = a.size();
    String linkTarget = format == Posix.S_IFLNK ? FileNames.string(Files.readSymbolicLink(path)) : "";
    if (summary != null) {
      summary.add("/" + rel, mode, a.uid(), a.gid(), size, modified, rdev, linkTarget);
    }
    Map<String, byte[]> rawXattrs = readXattrs(path);
    if (overlay) {
      refuseUnsupported(path, rawXattrs);
      if (OverlayFormat.isWhiteout(mode, rdev, size, rawXattrs)) {
        if (existsBelow(rel)) {
          String wh = (parentRel.isEmpty() ? "" : parentRel + "/")
              + OverlayFormat.whiteoutEntry(name);
          emit(TarEntry.file(wh, 0600, 0, 0, 0, 0), null);
        }
        return;
      }
    }
    Map<String, byte[]> xattrs = keptXattrs(rawXattrs);
    TarEntry entry;
    switch (format) {
      case Posix.S_IFDIR:
        boolean opaque = overlay && OverlayFormat.isOpaque(rawXattrs) && existsBelow(rel);
        TarEntry dir = TarEntry.directory(rel, mode & 07777, uid, gid, mtime).withXattrs(xattrs);
        // A directory that was only copied up (for example the parent of a mount stub the
        // runner removed again) is not a change by itself (BuildKit's sameDirent); it is
        // written only when something inside it is, because docker's extractor would
        // recreate a missing parent as 0755 root and hide the directory below.
        boolean unchanged = overlay && !opaque && sameAsBelow(rel, a, xattrs);
        if (unchanged) {
          pending.add(dir);
        } else {
          emit(dir, null);
        }
        if (opaque) {
          emit(TarEntry.file(rel + "/" + OverlayFormat.OPAQUE_MARKER, 0600, 0, 0, 0, 0), null);
        }
        walkDirectory(path, rel);
        if (unchanged) {
          pending.remove(pending.size() - 1);
          written = Math.min(written, pending.size());
        }
        return;
      case Posix.S_IFREG:
        if (a.nlink() > 1) {
          String key = a.dev() + ":" + a.ino();
          String first = firstPathByInode.putIfAbsent(key, rel);
          if (first != null) {
            emit(new TarEntry(rel, TarEntry.Type.HARDLINK, mode & 07777, uid, gid, 0, mtime,
                first, 0, 0, xattrs), null);
            return;
          }
        }
        entry = new TarEntry(rel, TarEntry.Type.FILE, mode & 07777, uid, gid, size, mtime, "",
            0, 0, xattrs);
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
          emit(entry, in);
        }
        return;
      case Posix.S_IFLNK:
        emit(new TarEntry(rel, TarEntry.Type.SYMLINK, mode & 07777, uid, gid, 0, mtime, linkTarget,
            0, 0, xattrs), null);
        return;
      case Posix.S_IFCHR:
      case Posix.S_IFBLK:
        TarEntry.Type type =
            format == Posix.S_IFCHR ? TarEntry.Type.CHAR_DEVICE : TarEntry.Type.BLOCK_DEVICE;
        emit(new TarEntry(rel, type, mode & 07777, uid, gid, 0, mtime, "", Posix.major(rdev),
            Posix.minor(rdev), xattrs), null);
        return;
      case Posix.S_IFIFO:
        emit(new TarEntry(rel, TarEntry.Type.FIFO, mode & 07777, uid, gid, 0, mtime, "", 0, 0,
            xattrs), null);
        return;
      default:
        // Sockets cannot be represented in a tar; Docker leaves them out too.
        return;
    }
  }

  private void emit(TarEntry entry, InputStream content) throws IOException {
    // Unchanged ancestors of this entry come first, outermost first.
    for (; written < pending.size(); written++) {
      out.write(pending.get(written), null);
      count++;
    }
    out.write(entry, content);
    count++;
  }

  /**
   * True when the topmost lower entry at {@code rel} is a directory with the same mode, owner,
   * mtime (to the nanosecond) and kept xattrs as the upper directory.
   */
  private boolean sameAsBelow(String rel, Stat upper, Map<String, byte[]> upperXattrs)
      throws IOException {
    for (Path lower : lowers) {
      Path p = FileNames.resolve(lower, rel);
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      Stat a = Posix.lstat(p);
      if (a.mode() != upper.mode() || a.uid() != upper.uid() || a.gid() != upper.gid()
          || a.mtimeSec() != upper.mtimeSec() || a.mtimeNsec() != upper.mtimeNsec()) {
        return false;
      }
      Map<String, byte[]> lowerXattrs = keptXattrs(readXattrs(p));
      if (!lowerXattrs.keySet().equals(upperXattrs.keySet())) {
        return false;
      }
      for (Map.Entry<String, byte[]> e : upperXattrs.entrySet()) {
        if (!Arrays.equals(e.getValue(), lowerXattrs.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private boolean existsBelow(String rel) {
    for (Path lower : lowers) {
      if (Files.exists(FileNames.resolve(lower, rel), LinkOption.NOFOLLOW_LINKS)) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, byte[]> readXattrs(Path path) throws IOException {
    List<String> names = Posix.llistxattr(path);
    if (names.isEmpty()) {
      return Map.of(); // most entries: no map per file
    }
    Map<String, byte[]> xattrs = new TreeMap<>();
    for (String name : names) {
      Optional<byte[]> value = Posix.lgetxattr(path, name);
      value.ifPresent(v -> xattrs.put(name, v));
    }
    return xattrs;
  }

  private static Map<String, byte[]> keptXattrs(Map<String, byte[]> raw) {
    if (raw.isEmpty()) {
      return raw;
    }
    Map<String, byte[]> kept = new TreeMap<>();
    raw.forEach((k, v) -> {
      if (!OverlayFormat.isOverlayXattr(k)) {
        kept.put(k, v);
      }
    });
    return kept;
  }

  private static void refuseUnsupported(Path path, Map<String, byte[]> raw) throws IOException {
    if (OverlayFormat.usesRedirectOrMetacopy(raw)) {
      throw new IOException("Tried to diff overlay upperdir entry " + path + " but failed"
          + " because: it uses redirect_dir or metacopy; mount the overlay with"
          + " redirect_dir=off,metacopy=off,index=off");
    }
  }
}
