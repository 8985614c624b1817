package dev.jbuild.layerstore.posix;

import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

/**
 * The {@code lstat(2)} fields jbuild reads, from one call ({@link Posix#lstat}). Device numbers
 * are packed as glibc's {@code makedev(3)} packs {@code st_dev} and {@code st_rdev}, so they equal
 * NIO's {@code unix:dev} and {@code unix:rdev}; ids are NIO's {@code int}s.
 *
 * @param mode file type and permission bits ({@code st_mode})
 * @param uid owner
 * @param gid group
 * @param nlink link count
 * @param ino inode number
 * @param dev device of the file system holding the file
 * @param rdev device number of a character or block device
 * @param size size in bytes
 * @param mtimeSec modification time, seconds since the epoch
 * @param mtimeNsec modification time, nanoseconds within the second
 * @param ctimeSec inode change time, seconds since the epoch
 * @param ctimeNsec inode change time, nanoseconds within the second
 */
public record Stat(int mode, int uid, int gid, int nlink, long ino, long dev, long rdev,
    long size, long mtimeSec, int mtimeNsec, long ctimeSec, int ctimeNsec) {

  /** The file type bits ({@link Posix#S_IFMT} part of the mode). */
  public int format() {
    return mode & Posix.S_IFMT;
  }

  /** The modification time as NIO's {@code lastModifiedTime} gives it. */
  public FileTime mtime() {
    return time(mtimeSec, mtimeNsec);
  }

  /** The modification time in nanoseconds since the epoch, as {@code FileTime.to(NANOSECONDS)}. */
  public long mtimeNanos() {
    return mtime().to(TimeUnit.NANOSECONDS);
  }

  /** The inode change time in nanoseconds since the epoch, as {@code FileTime.to(NANOSECONDS)}. */
  public long ctimeNanos() {
    return time(ctimeSec, ctimeNsec).to(TimeUnit.NANOSECONDS);
  }

  /**
   * A time as JDK 17's {@code UnixFileAttributes} makes it (whole seconds, else nanoseconds, else
   * microseconds when nanoseconds overflow), so values and their saturation match NIO's.
   */
  static FileTime time(long sec, int nsec) {
    if (nsec == 0) {
      return FileTime.from(sec, TimeUnit.SECONDS);
    }
    try {
      return FileTime.from(Math.addExact(nsec, Math.multiplyExact(sec, 1_000_000_000L)),
          TimeUnit.NANOSECONDS);
    } catch (ArithmeticException e) {
      return FileTime.from(sec * 1_000_000L + nsec / 1_000, TimeUnit.MICROSECONDS);
    }
  }
}
