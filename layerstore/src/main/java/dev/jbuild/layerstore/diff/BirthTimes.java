package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.posix.Posix;
import java.nio.file.Path;

/**
 * Where a walking diff reads a directory's birth time from, to tell a directory that was removed
 * and made again ({@code rm -rf d && mkdir d}) from one changed in place when the file system
 * hands the new directory the old inode number at once (ext4 does). Such a directory gets overlay's
 * opaque marker, as in an upperdir, instead of a whiteout per removed child.
 */
@FunctionalInterface
interface BirthTimes {
  /** The value for "not known": comparisons then fall back to the inode number alone. */
  long UNKNOWN = Posix.NO_BIRTH_TIME;

  /** Birth times from {@code statx(2)}; unknown where the file system gives none. */
  BirthTimes STATX = path -> {
    try {
      return Posix.birthTimeNanos(path);
    } catch (java.io.IOException e) {
      return UNKNOWN; // gone or unreadable: the stat that follows reports it
    }
  };

  /** Never known: the diff compares inode numbers only. */
  BirthTimes NONE = path -> UNKNOWN;

  /** The birth time of {@code dir} in nanoseconds since the epoch, or {@link #UNKNOWN}. */
  long of(Path dir);
}
