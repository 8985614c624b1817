package dev.jbuild.layerstore;

import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.fs.Trees;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A private scratch directory under the store's {@code tmp/}, locked ({@code .lock} inside it)
 * while open, so that {@code prune} and {@code verify --repair} in another process can tell a
 * live step's scratch from what a killed one left ({@link #leftovers}). Closing deletes it.
 */
public final class TempDir implements AutoCloseable {
  static final String LOCK = ".lock";
  /** Prefix of RUN steps' scratch dirs; older jbuilds made them without a lock. */
  private static final String RUN_PREFIX = "run-";
  private static final long UNLOCKED_GRACE_MILLIS = 60_000;

  private final Path dir;
  private final FileLocks.Held lock;

  private TempDir(Path dir, FileLocks.Held lock) {
    this.dir = dir;
    this.lock = lock;
  }

  static TempDir create(Path tmp, String prefix) throws IOException {
    Path dir = Files.createTempDirectory(tmp, prefix);
    Path lockFile = dir.resolve(LOCK);
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      return new TempDir(dir, FileLocks.holdWhileOpen(channel, lockFile));
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      Trees.deleteRecursively(dir);
      throw e;
    }
  }

  /** The directory (absolute). */
  public Path path() {
    return dir;
  }

  /** Deletes the directory, then releases its lock. */
  @Override
  public void close() throws IOException {
    try {
      Trees.deleteRecursively(dir);
    } finally {
      lock.close();
    }
  }

  /**
   * Entries of {@code tmp} that a process which is gone left behind: directories whose lock no
   * one holds, and RUN scratch dirs of older jbuilds (no lock; they could hold {@code --secret}
   * values in {@code mount-N} files) once older than a minute, so one being created right now
   * is never listed. Other entries are left alone: their owners do not lock them.
   */
  static List<Path> leftovers(Path tmp) throws IOException {
    List<Path> stale = new ArrayList<>();
    if (!Files.isDirectory(tmp)) {
      return stale;
    }
    try (var entries = Files.list(tmp)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        try {
          if (isStale(p)) {
            stale.add(p);
          }
        } catch (java.nio.file.NoSuchFileException e) {
          // finished meanwhile
        }
      }
    }
    return stale;
  }

  private static boolean isStale(Path entry) throws IOException {
    Path lock = entry.resolve(LOCK);
    if (Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
      return !FileLocks.isLocked(lock);
    }
    if (!entry.getFileName().toString().startsWith(RUN_PREFIX)) {
      return false;
    }
    FileTime modified = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS);
    return modified.toMillis() < System.currentTimeMillis() - UNLOCKED_GRACE_MILLIS;
  }
}
