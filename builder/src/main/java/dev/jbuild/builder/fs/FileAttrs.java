package dev.jbuild.builder.fs;

import dev.jbuild.layerstore.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * Owner, mode and mtime of a file as Linux stores them, read and applied without following
 * symlinks.
 *
 * @param uid owner id
 * @param gid group id
 * @param mode permission bits including setuid, setgid and sticky ({@code 07777})
 * @param mtime modification time, or null to leave the time the entry got when created
 */
public record FileAttrs(int uid, int gid, int mode, FileTime mtime) {
  private static final int EINVAL = 22;

  /** Reads the attributes of {@code path} (not following a final symlink). */
  public static FileAttrs read(Path path) throws IOException {
    Map<String, Object> a =
        Files.readAttributes(path, "unix:uid,gid,mode,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    return new FileAttrs((Integer) a.get("uid"), (Integer) a.get("gid"),
        ((Integer) a.get("mode")) & 07777, (FileTime) a.get("lastModifiedTime"));
  }

  /** Attributes for a directory the builder creates: now as mtime, as BuildKit's mkdir. */
  public static FileAttrs newDirectory(int uid, int gid) {
    return new FileAttrs(uid, gid, 0755, null);
  }

  /** Returns a copy with another owner. */
  public FileAttrs withOwner(int newUid, int newGid) {
    return new FileAttrs(newUid, newGid, mode, mtime);
  }

  /** Returns a copy with other permission bits. */
  public FileAttrs withMode(int newMode) {
    return new FileAttrs(uid, gid, newMode, mtime);
  }

  /**
   * Applies owner, then mode (chown clears setuid/setgid, so the order matters), then mtime.
   * Symlinks get owner and mtime: Linux has no symlink modes.
   */
  public void apply(Path path) throws IOException {
    apply(path, Files.isSymbolicLink(path));
  }

  /**
   * Like {@link #apply(Path)} for an entry whose type the caller knows (it just created it):
   * three calls ({@code lchown}, {@code chmod}, {@code utimensat}) and no {@code lstat}.
   *
   * @param symlink whether {@code path} is a symlink (which gets owner and mtime only)
   */
  public void apply(Path path, boolean symlink) throws IOException {
    try {
      // One lchown for both ids (NIO's unix:uid and unix:gid make a call each): a COPY of many
      // small files spends its time in such per-file calls.
      Posix.lchown(path, uid, gid);
    } catch (dev.jbuild.layerstore.posix.PosixException e) {
      // EINVAL: the id has no mapping in this user namespace (rootless mode), as in extraction.
      if (e.errno() != EINVAL || !Posix.inUserNamespace()) {
        throw e;
      }
      throw new IOException("Tried to give " + path.getFileName() + " the owner " + uid + ":"
          + gid + " but failed because: rootless mode maps only the ids of your /etc/subuid and"
          + " /etc/subgid ranges (see /proc/self/uid_map). Give your user a larger range"
          + " (usermod --add-subuids/--add-subgids), or run jbuild as root", e);
    }
    if (symlink) {
      if (mtime != null) {
        // NIO cannot set a symlink's own times; utimensat(AT_SYMLINK_NOFOLLOW) can.
        java.time.Instant t = mtime.toInstant();
        Posix.lsetTimes(path, t.getEpochSecond(), t.getNano());
      }
    } else {
      // Not a symlink, so chmod (one call) does what NIO's open, fchmod and close do.
      Posix.chmod(path, mode);
      if (mtime != null) {
        // One utimensat, where NIO's setLastModifiedTime opens, stats, sets and closes.
        java.time.Instant t = mtime.toInstant();
        Posix.lsetModifiedTime(path, t.getEpochSecond(), t.getNano());
      }
    }
  }
}
