package dev.jbuild.layerstore.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive locks shared by threads and processes: a JVM-wide lock per lock file (because {@code
 * FileChannel.lock} is per process and throws if two threads of one JVM ask for it) plus an
 * advisory {@code fcntl} lock on the file for other processes.
 */
public final class FileLocks {
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
  private static final java.util.Set<Path> HELD_OPEN = ConcurrentHashMap.newKeySet();

  private FileLocks() {}

  /** A held lock; closing releases it. */
  public interface Held extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /**
   * Blocks until {@code lockFile} (created if missing) is locked by this thread.
   *
   * @throws IOException if the lock file cannot be opened or locked
   */
  public static Held lock(Path lockFile) throws IOException {
    Path key = lockFile.toAbsolutePath().normalize();
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
    jvmLock.lock();
    FileChannel channel = null;
    try {
      channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock fileLock = channel.lock();
      FileChannel opened = channel;
      return () -> {
        try {
          fileLock.release();
          opened.close();
        } finally {
          jvmLock.unlock();
        }
      };
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      jvmLock.unlock();
      throw new IOException("Tried to lock " + key + " but failed because: " + e.getMessage(), e);
    }
  }

  /**
   * True when some thread or process holds a lock on {@code lockFile} (taken with {@link #lock}
   * or {@link #holdWhileOpen}); false if it is free or missing. Used to tell live work from the
   * leftovers of a killed process. Never disturbs this JVM's own locks (closing a channel drops
   * every fcntl lock the process has on that file, so files locked here are not probed).
   */
  public static boolean isLocked(Path lockFile) throws IOException {
    Path key = lockFile.toAbsolutePath().normalize();
    ReentrantLock jvmLock = JVM_LOCKS.get(key);
    if ((jvmLock != null && jvmLock.isLocked()) || HELD_OPEN.contains(key)) {
      return true;
    }
    try (FileChannel channel = FileChannel.open(key, StandardOpenOption.WRITE)) {
      FileLock probe = channel.tryLock();
      if (probe == null) {
        return true;
      }
      probe.release();
      return false;
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    } catch (java.nio.channels.OverlappingFileLockException e) {
      return true;
    }
  }

  /**
   * Locks the file of an open channel so that {@link #isLocked} reports it as in use, until the
   * returned handle is closed (which also closes the channel).
   */
  public static Held holdWhileOpen(FileChannel channel, Path file) throws IOException {
    Path key = file.toAbsolutePath().normalize();
    HELD_OPEN.add(key);
    try {
      channel.lock();
    } catch (IOException | RuntimeException e) {
      HELD_OPEN.remove(key);
      throw e;
    }
    return () -> {
      try {
        channel.close();
      } finally {
        HELD_OPEN.remove(key);
      }
    };
  }

  /**
   * Replaces {@code target} with {@code bytes} atomically: readers see the old or the new content,
   * never a mix. The data is fsynced before the rename.
   */
  public static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
