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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

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

  /**
   * The scratch dirs this process has open (also the monitor {@link #close} notifies), so that a
   * command canceled by a signal can remove them on its way out ({@link #closeAllOpen}).
   */
  private static final Set<TempDir> OPEN = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final FileLocks.Held lock;
  private final AtomicBoolean closed = new AtomicBoolean();

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
      TempDir created = new TempDir(dir, FileLocks.holdWhileOpen(channel, lockFile));
      OPEN.add(created);
      return created;
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

  /** Deletes the directory, then releases its lock. Closing again does nothing. */
  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      Trees.deleteRecursively(dir);
    } finally {
      try {
        lock.close();
      } finally {
        OPEN.remove(this);
        synchronized (OPEN) {
          OPEN.notifyAll();
        }
      }
    }
  }

  /** The directories of the scratch dirs this process has open now. */
  public static List<Path> openInThisProcess() {
    List<Path> paths = new ArrayList<>();
    OPEN.forEach(t -> paths.add(t.dir));
    return paths;
  }

  /**
   * For a command that is being canceled: gives the threads that own scratch dirs up to {@code
   * grace} to unwind and close them (their steps' processes are stopped first), then closes
   * what is still open. Lock-free leftovers are {@code prune}'s job ({@link #leftovers}).
   *
   * @return the directories that could not be deleted (still on disk)
   */
  public static List<Path> closeAllOpen(Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    synchronized (OPEN) {
      long left;
      while (!OPEN.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
        OPEN.wait(Math.max(1, left / 1_000_000));
      }
    }
    List<Path> failed = new ArrayList<>();
    for (TempDir t : List.copyOf(OPEN)) {
      try {
        t.close();
      } catch (IOException e) {
        // Reported by the caller as still there; prune removes it once its lock is gone.
      }
      if (Files.exists(t.dir, LinkOption.NOFOLLOW_LINKS)) {
        failed.add(t.dir);
      }
    }
    return failed;
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
