package dev.jbuild.layerstore.tar;

import dev.jbuild.layerstore.fs.FileNames;
import dev.jbuild.layerstore.fs.RootedPath;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.overlay.OverlayFormat;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.posix.PosixException;
import dev.jbuild.layerstore.tar.SafeTarExtractor.DevicePolicy;
import dev.jbuild.layerstore.tar.SafeTarExtractor.Options;
import dev.jbuild.layerstore.tar.SafeTarExtractor.WhiteoutMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one {@link SafeTarExtractor} extraction: applies entries in order under one root,
 * remembers what this layer unpacked (whiteouts only hide lower content) and sets directory times
 * last. Not thread-safe; one instance per extraction.
 */
final class ExtractionRun {
  private static final Logger LOG = LoggerFactory.getLogger(SafeTarExtractor.class);
  private static final String WH = OverlayFormat.WHITEOUT_PREFIX;
  private static final String OPAQUE = OverlayFormat.OPAQUE_MARKER;
  /** Directory resolution inside the layer: {@code ..} above the root refused, 255 symlinks. */
  private static final RootedPath IN_LAYER = RootedPath.refusing(255);

  private final Options options;
  private final Path root;
  private final List<Path> lowers;
  private final Set<String> unpacked = new HashSet<>();
  private final Deque<Object[]> dirTimes = new ArrayDeque<>();
  private final FileContents contents = new FileContents();
  long contentSize;

  ExtractionRun(Options options, Path root, List<Path> lowers) {
    this.options = options;
    this.root = root;
    this.lowers = lowers;
  }

  void apply(TarEntry entry, TarReader reader) throws IOException {
    contentSize += entry.diskSize();
    String raw = entry.name();
    List<String> parts = SafeTarExtractor.clean(raw, raw);
    if (parts.isEmpty()) {
      // The root itself ("./"): its attributes belong to whoever owns the mount point.
      return;
    }
    String base = parts.get(parts.size() - 1);
    List<String> parentParts = parts.subList(0, parts.size() - 1);
    String rel = String.join("/", parts);
    if (base.startsWith(WH)) {
      applyWhiteout(raw, parentParts, base);
      return;
    }
    if (options.kept().covers(rel)
        || (!entry.isDirectory() && options.kept().hasExcludedBelow(rel))) {
      // The host's part of a live root: never written, nor replaced by a non-directory.
      return;
    }
    Path parent = resolveDir(raw, parentParts, true);
    Path target = FileNames.resolve(parent, base);
    boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    boolean existingDir = exists && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
    if (entry.isDirectory()) {
      if (exists && !existingDir) {
        Files.delete(target);
      }
      if (!existingDir) {
        Files.createDirectory(target);
      }
    } else {
      if (existingDir) {
        Trees.deleteRecursively(target);
      } else if (exists) {
        Files.delete(target); // unlink: a symlink is removed, never followed
      }
      if (!create(entry, raw, target, reader)) {
        return;
      }
    }
    unpacked.add(rel);
    applyMetadata(entry, target);
  }

  /** Creates a non-directory; returns false if the entry was skipped. */
  private boolean create(TarEntry entry, String raw, Path target, TarReader reader)
      throws IOException {
    switch (entry.type()) {
      case FILE:
        contents.write(entry, raw, target, reader);
        return true;
      case HARDLINK:
        List<String> linkParts = SafeTarExtractor.clean(raw, entry.linkName());
        if (linkParts.isEmpty()) {
          throw new UnsafeTarEntryException(raw, "hardlink to the root directory");
        }
        Path linkTarget = resolveLinkTarget(raw, entry, linkParts);
        if (Files.isDirectory(linkTarget, LinkOption.NOFOLLOW_LINKS)) {
          throw new UnsafeTarEntryException(raw, "hardlink to a directory");
        }
        Files.createLink(target, linkTarget); // link(2) does not follow a symlink target
        return true;
      case SYMLINK:
        Files.createSymbolicLink(target, FileNames.path(entry.linkName()));
        return true;
      case FIFO:
        Posix.mknod(target, Posix.S_IFIFO | (entry.mode() & 0777), 0, 0);
        return true;
      case CHAR_DEVICE:
      case BLOCK_DEVICE:
        if (options.devices() == DevicePolicy.REFUSE) {
          throw new UnsafeTarEntryException(raw, "device nodes are not allowed");
        }
        if (options.devices() == DevicePolicy.SKIP) {
          LOG.debug("Skipping device node {}", raw);
          return false;
        }
        int type = entry.type() == TarEntry.Type.CHAR_DEVICE ? Posix.S_IFCHR : Posix.S_IFBLK;
        Posix.mknod(target, type | (entry.mode() & 0777), entry.devMajor(), entry.devMinor());
        return true;
      default:
        throw new UnsafeTarEntryException(raw, "unexpected entry type " + entry.type());
    }
  }

  /**
   * Resolves a hardlink target in this layer, or copies it up from the topmost lower layer
   * that has it (overlayfs semantics on a mounted stack).
   */
  private Path resolveLinkTarget(String raw, TarEntry entry, List<String> linkParts)
      throws IOException {
    List<String> parentParts = linkParts.subList(0, linkParts.size() - 1);
    String base = linkParts.get(linkParts.size() - 1);
    Path inLayer = null;
    try {
      inLayer = FileNames.resolve(resolveDir(raw, parentParts, false), base);
    } catch (UnsafeTarEntryException e) {
      if (lowers.isEmpty() || e.getMessage().contains("outside")) {
        throw e;
      }
    }
    if (inLayer != null && Files.exists(inLayer, LinkOption.NOFOLLOW_LINKS)) {
      return inLayer;
    }
    for (Path lower : lowers) {
      Path found;
      try {
        found = FileNames.resolve(new ExtractionRun(options, lower.toAbsolutePath().normalize(),
            List.of()).resolveDir(raw, parentParts, false), base);
      } catch (UnsafeTarEntryException e) {
        if (e.getMessage().contains("outside")) {
          throw e;
        }
        continue; // not in this lower layer
      }
      if (!Files.exists(found, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (OverlayFormat.isWhiteout(found)) {
        break; // deleted in that layer: nothing further down is visible
      }
      if (!Files.isRegularFile(found, LinkOption.NOFOLLOW_LINKS)) {
        throw new UnsafeTarEntryException(raw, "hardlink target '" + entry.linkName()
            + "' in a lower layer is not a regular file");
      }
      return copyUp(raw, lower.toAbsolutePath().normalize(), parentParts, base, found);
    }
    throw new UnsafeTarEntryException(raw, "hardlink target '" + entry.linkName()
        + "' is neither in this layer nor in a lower one");
  }

  /** Copies a lower file (and missing parents, attributes included) into this layer. */
  private Path copyUp(String raw, Path lowerRoot, List<String> parentParts, String base,
      Path source) throws IOException {
    // resolveDir returned a symlink-free path under lowerRoot; copy along the same path.
    Path relative = lowerRoot.relativize(source.getParent());
    Path dir = root;
    Path lowerDir = lowerRoot;
    for (Path part : relative) {
      if (part.toString().isEmpty()) {
        continue;
      }
      dir = dir.resolve(part);
      lowerDir = lowerDir.resolve(part);
      if (Files.isSymbolicLink(dir) || (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)
          && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))) {
        throw new UnsafeTarEntryException(raw, "cannot copy up the hardlink target: '"
            + root.relativize(dir) + "' is not a directory in this layer");
      }
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(dir);
        copyAttributes(lowerDir, dir, true);
      }
    }
    Path target = FileNames.resolve(dir, base);
    Files.copy(source, target, LinkOption.NOFOLLOW_LINKS);
    copyAttributes(source, target, false);
    return target;
  }

  private void copyAttributes(Path from, Path to, boolean directory) throws IOException {
    Map<String, Object> a = Files.readAttributes(from, "unix:mode,uid,gid,lastModifiedTime",
        LinkOption.NOFOLLOW_LINKS);
    if (options.preserveOwnership()) {
      Posix.lchown(to, (Integer) a.get("uid"), (Integer) a.get("gid"));
    }
    Posix.chmod(to, (Integer) a.get("mode") & 07777);
    for (String name : Posix.llistxattr(from)) {
      if (!OverlayFormat.isOverlayXattr(name)) {
        Optional<byte[]> value = Posix.lgetxattr(from, name);
        if (value.isPresent()) {
          Posix.lsetxattr(to, name, value.get());
        }
      }
    }
    long mtime = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime"))
        .to(java.util.concurrent.TimeUnit.SECONDS);
    if (directory) {
      dirTimes.addLast(new Object[] {to, mtime});
    } else {
      Posix.lsetTimes(to, mtime, 0);
    }
  }

  private void applyMetadata(TarEntry entry, Path target) throws IOException {
    boolean symlink = entry.type() == TarEntry.Type.SYMLINK;
    if (options.preserveOwnership()) {
      try {
        Posix.lchown(target, (int) entry.uid(), (int) entry.gid());
      } catch (PosixException e) {
        // EINVAL: the id has no mapping in this user namespace (rootless mode).
        if (e.errno() != 22 || !Posix.inUserNamespace()) {
          throw e;
        }
        throw new IOException("Tried to give " + entry.name() + " the owner " + entry.uid() + ":"
            + entry.gid() + " but failed because: rootless mode maps only the ids of your "
            + "/etc/subuid and /etc/subgid ranges (see /proc/self/uid_map). Give your user a "
            + "larger range (usermod --add-subuids/--add-subgids), or run jbuild as root", e);
      }
    }
    if (!symlink && entry.type() != TarEntry.Type.HARDLINK) {
      // After lchown, which clears setuid/setgid.
      Posix.chmod(target, entry.mode());
    }
    for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
      if (OverlayFormat.isOverlayXattr(x.getKey())) {
        continue;
      }
      Posix.lsetxattr(target, x.getKey(), x.getValue());
    }
    if (entry.isDirectory()) {
      dirTimes.push(new Object[] {target, entry.mtime()});
    } else if (entry.type() != TarEntry.Type.HARDLINK) {
      Posix.lsetTimes(target, entry.mtime(), 0);
    }
  }

  private void applyWhiteout(String raw, List<String> parentParts, String base)
      throws IOException {
    String parentRel = String.join("/", parentParts);
    if (base.equals(OPAQUE)) {
      Path dir = resolveDir(raw, parentParts, true);
      if (options.whiteouts() == WhiteoutMode.OVERLAY) {
        options.overlayFormat().markOpaque(dir);
      } else {
        try (var children = Files.list(dir)) {
          for (Path child : (Iterable<Path>) children::iterator) {
            String rel = parentRel.isEmpty() ? FileNames.name(child)
                : parentRel + "/" + FileNames.name(child);
            if (!unpacked.contains(rel)) {
              options.kept().deleteExcept(child, rel);
            }
          }
        }
      }
      return;
    }
    if (base.startsWith(WH + WH)) {
      return; // AUFS metadata such as .wh..wh.plnk
    }
    String name = base.substring(WH.length());
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      throw new UnsafeTarEntryException(raw, "invalid whiteout name");
    }
    Path dir = resolveDir(raw, parentParts, options.whiteouts() == WhiteoutMode.OVERLAY);
    Path victim = FileNames.resolve(dir, name);
    String rel = parentRel.isEmpty() ? name : parentRel + "/" + name;
    boolean exists = Files.exists(victim, LinkOption.NOFOLLOW_LINKS);
    if (options.whiteouts() == WhiteoutMode.OVERLAY) {
      // Present already means this same layer added it; a whiteout only hides lower layers.
      if (!exists) {
        OverlayFormat.makeWhiteout(victim);
      }
    } else if (exists && !unpacked.contains(rel)) {
      options.kept().deleteExcept(victim, rel);
    }
  }

  /**
   * Resolves directory components under the root with {@link RootedPath}'s rule, refusing a
   * symlink that climbs above the root (an attack, not a path to repair), and creating missing
   * directories when {@code create}.
   */
  private Path resolveDir(String raw, List<String> parts, boolean create) throws IOException {
    List<String> done;
    try {
      done = IN_LAYER.resolve(parts, (resolved, last) -> {
        Path current = path(resolved);
        if (Files.isSymbolicLink(current)) {
          return Optional.of(FileNames.string(Files.readSymbolicLink(current)));
        }
        String part = resolved.get(resolved.size() - 1);
        List<String> before = resolved.subList(0, resolved.size() - 1);
        if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
          if (!create) {
            throw new UnsafeTarEntryException(raw, "'" + String.join("/", before) + "/" + part
                + "' does not exist");
          }
          Files.createDirectory(current);
        } else if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
          throw new UnsafeTarEntryException(raw, "'" + String.join("/", resolved)
              + "' is not a directory");
        }
        return Optional.empty();
      });
    } catch (RootedPath.EscapeException e) {
      throw new UnsafeTarEntryException(raw, e.getMessage());
    }
    return path(done);
  }

  private Path path(List<String> parts) {
    Path p = root;
    for (String part : parts) {
      p = FileNames.resolve(p, part);
    }
    return p;
  }

  void finish() throws IOException {
    while (!dirTimes.isEmpty()) {
      Object[] d = dirTimes.pop(); // last pushed first: children before parents
      Path dir = (Path) d[0];
      if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        Posix.lsetTimes(dir, (Long) d[1], 0);
      }
    }
  }
}
