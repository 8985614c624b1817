package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.posix.Posix;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

/**
 * The {@code lstat(2)} fields a walking diff compares, read in one call. Short-lived: snapshots
 * copy the fields into their arrays and keep no {@code FileStat}.
 *
 * @param mode file type and permission bits ({@code st_mode})
 * @param ino inode number
 * @param dev device of the file system holding the file
 * @param rdev device number for character and block devices
 * @param nlink link count
 * @param uid owner
 * @param gid group
 * @param size size in bytes
 * @param mtimeSec modification time, seconds since the epoch
 * @param mtimeNsec modification time, nanoseconds within the second
 * @param ctimeNanos inode change time in nanoseconds since the epoch; {@link Long#MAX_VALUE} when
 *     it does not fit (then every comparison treats the file as changed)
 */
record FileStat(int mode, long ino, long dev, long rdev, int nlink, long uid, long gid, long size,
    long mtimeSec, int mtimeNsec, long ctimeNanos) {

  private static final String ATTRIBUTES =
      "unix:mode,ino,dev,rdev,nlink,uid,gid,size,lastModifiedTime,ctime";

  /** Reads the stat data of {@code path} without following a final symlink. */
  static FileStat of(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    Instant mtime = ((FileTime) a.get("lastModifiedTime")).toInstant();
    Instant ctime = ((FileTime) a.get("ctime")).toInstant();
    long ctimeNanos;
    try {
      ctimeNanos = Math.addExact(Math.multiplyExact(ctime.getEpochSecond(), 1_000_000_000L),
          ctime.getNano());
    } catch (ArithmeticException e) {
      ctimeNanos = Long.MAX_VALUE;
    }
    return new FileStat((Integer) a.get("mode"), (Long) a.get("ino"), (Long) a.get("dev"),
        (Long) a.get("rdev"), (Integer) a.get("nlink"), ((Integer) a.get("uid")) & 0xffffffffL,
        ((Integer) a.get("gid")) & 0xffffffffL, (Long) a.get("size"), mtime.getEpochSecond(),
        mtime.getNano(), ctimeNanos);
  }

  /**
   * Words {@code e} as "Tried to {@code action} but failed because: <reason>", unless it is
   * worded already.
   */
  static IOException worded(String action, IOException e) {
    if (e.getMessage() != null && e.getMessage().startsWith("Tried to ")) {
      return e;
    }
    String reason;
    if (e instanceof AccessDeniedException denied) {
      reason = denied.getFile() + ": permission denied";
    } else if (e instanceof NoSuchFileException missing) {
      reason = missing.getFile() + ": no such file or directory";
    } else if (e instanceof FileSystemException fs && fs.getReason() != null) {
      reason = fs.getFile() + ": " + fs.getReason();
    } else {
      reason = String.valueOf(e.getMessage());
    }
    return new IOException("Tried to " + action + " but failed because: " + reason, e);
  }

  /** The file type bits ({@code S_IFMT} part of the mode). */
  int format() {
    return mode & Posix.S_IFMT;
  }

  boolean isDirectory() {
    return format() == Posix.S_IFDIR;
  }

  boolean isSymlink() {
    return format() == Posix.S_IFLNK;
  }
}
