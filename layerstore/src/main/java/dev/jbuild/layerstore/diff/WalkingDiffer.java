package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import java.io.IOException;
import java.util.Optional;

/**
 * Turns what happened to a plain directory tree since a {@link TreeSnapshot} into a layer,
 * without overlayfs and without hashing file contents: for a RUN step that ran directly in an
 * unpacked root filesystem (no mount allowed, or rootless without overlayfs). The tree is walked
 * once more and each path's stat data compared with the snapshot's (inode, ctime, mtime, size,
 * mode, owner, link count, device number, symlink target), so the cost is one {@code lstat} per
 * file plus reading what changed.
 *
 * <p>The layer is written exactly as {@link LayerDiffer#diff} writes an upperdir, through the
 * same pipeline (compression, DiffID and digest in one pass, {@link LayerOptions} with its
 * {@code SOURCE_DATE_EPOCH} clamp), with the same entry rules, so a step gives the same entries
 * with and without overlayfs:
 *
 * <ul>
 *   <li>added and changed files, directories, symlinks, devices and fifos, with their kept
 *       xattrs ({@code security.capability}…; {@code *.overlay.*} stripped); sockets are left
 *       out;
 *   <li>a deleted path is one {@code .wh.<name>} (a deleted directory is one whiteout, not one
 *       per child);
 *   <li>a directory whose inode changed ({@code rm -rf d && mkdir d}) or that replaced a
 *       non-directory is written with {@code .wh..wh..opq} and all its contents, as overlayfs
 *       marks such a directory opaque; a directory replaced by a file is just the file;
 *   <li>unchanged directories are written only as parents of changed entries, as their copy-up
 *       in an upperdir would be; a directory whose mtime moved because a child was added or
 *       removed is changed;
 *   <li>hardlinked files (same device and inode) are tar hardlinks to the first written path.
 *       All paths of an inode share its ctime, so when one changes they are all written.
 * </ul>
 *
 * <p>Differences from an overlay upperdir, both safe: a file whose only change is its link count
 * (another link to it was added or removed) is written again, because that moves its ctime; and
 * writing to one path of a hardlink group writes the whole group, where overlayfs (with {@code
 * index=off}) breaks the link on copy-up. If the file system reuses a deleted directory's inode
 * number for its replacement at once (ext4 does), the directory's birth time ({@code statx}) tells
 * the replacement apart; only where no birth time is reported is it diffed as changed in place:
 * removed children get one whiteout each instead of the opaque marker, the same tree extracted.
 * Directory inode numbers must otherwise stay stable while the tree is in use (they do on ext4,
 * xfs, btrfs, tmpfs, and on overlayfs within one mount); a renumbered directory would be written
 * whole with an opaque marker, a larger but still correct layer.
 *
 * <p>Names that start with {@code .wh.} are refused rather than written, since they would delete
 * instead of add. Stateless and thread-safe; the tree must be quiescent while this runs.
 */
public final class WalkingDiffer {
  private WalkingDiffer() {}

  /**
   * Diffs the tree at {@code before.root()} against {@code before} and stores the changes as a
   * gzip layer.
   *
   * @return the layer, or empty when nothing changed
   * @throws IOException if reading the tree or writing the blob fails, or a changed name is
   *     reserved for whiteouts
   */
  public static Optional<Layer> diff(TreeSnapshot before, ContentStore store) throws IOException {
    return diff(before, store, LayerOptions.defaults());
  }

  /**
   * Like {@link #diff(TreeSnapshot, ContentStore)}, with a compression and an optional {@code
   * SOURCE_DATE_EPOCH} mtime clamp (see {@link LayerOptions}).
   */
  public static Optional<Layer> diff(TreeSnapshot before, ContentStore store,
      LayerOptions options) throws IOException {
    try (LayerOutput out = new LayerOutput(store, options)) {
      ChangeWalker walker = new ChangeWalker(before, out, options);
      try {
        walker.walk();
      } catch (IOException e) {
        throw FileStat.worded("diff the tree at " + before.root() + " against its snapshot", e);
      }
      if (walker.count == 0) {
        return Optional.empty(); // closing aborts the blob
      }
      return Optional.of(out.commit());
    }
  }
}
