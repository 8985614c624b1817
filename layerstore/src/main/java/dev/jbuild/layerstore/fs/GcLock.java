package dev.jbuild.layerstore.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A readers-writer lock across threads and processes on one lock file: many holders of {@link
 * #shared} (processes that add to or read from the store) or one holder of {@link #exclusive}
 * (garbage collection). Inside a JVM a {@link ReentrantReadWriteLock} orders threads; between
 * processes an {@code fcntl} read or write lock on the file does, taken by the first in-JVM shared
 * holder and released by the last. The kernel drops the locks of a killed process, so a crash
 * never leaves the store locked. A thread holding a shared lock must not ask for the exclusive one
 * (it would wait for itself).
 */
public final class GcLock {
  private static final ConcurrentHashMap<Path, GcLock> LOCKS = new ConcurrentHashMap<>();

  private final Path file;
  private final ReentrantReadWriteLock jvm = new ReentrantReadWriteLock();
  private int sharedHolders;
  private FileChannel sharedChannel;
  private FileLock sharedLock;

  private GcLock(Path file) {
    this.file = file;
  }

  private static GcLock of(Path lockFile) {
    return LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), GcLock::new);
  }

  /** Blocks until a shared lock on {@code lockFile} (created if missing) is held. */
  public static FileLocks.Held shared(Path lockFile) throws IOException {
    GcLock lock = of(lockFile);
    lock.jvm.readLock().lock();
    try {
      synchronized (lock) {
        if (lock.sharedHolders == 0) {
          FileChannel channel = open(lock.file);
          try {
            lock.sharedLock = channel.lock(0, Long.MAX_VALUE, true);
          } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
          }
          lock.sharedChannel = channel;
        }
        lock.sharedHolders++;
      }
    } catch (IOException | RuntimeException e) {
      lock.jvm.readLock().unlock();
      throw new IOException("Tried to lock " + lock.file + " but failed because: "
          + e.getMessage(), e);
    }
    return () -> {
      try {
        synchronized (lock) {
          if (--lock.sharedHolders == 0) {
            try {
              lock.sharedLock.release();
            } finally {
              lock.sharedChannel.close();
              lock.sharedChannel = null;
              lock.sharedLock = null;
            }
          }
        }
      } finally {
        lock.jvm.readLock().unlock();
      }
    };
  }

  /**
   * Takes the exclusive lock, first without waiting; if another thread or process holds a shared
   * lock, calls {@code onWait} once and then blocks until they are done.
   */
  public static FileLocks.Held exclusive(Path lockFile, Runnable onWait) throws IOException {
    GcLock lock = of(lockFile);
    if (!lock.jvm.writeLock().tryLock()) {
      onWait.run();
      lock.jvm.writeLock().lock();
      onWait = () -> {};
    }
    FileChannel channel = null;
    try {
      channel = open(lock.file);
      FileLock fileLock = channel.tryLock(0, Long.MAX_VALUE, false);
      if (fileLock == null) {
        onWait.run();
        fileLock = channel.lock(0, Long.MAX_VALUE, false);
      }
      FileLock held = fileLock;
      FileChannel opened = channel;
      return () -> {
        try {
          held.release();
          opened.close();
        } finally {
          lock.jvm.writeLock().unlock();
        }
      };
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      lock.jvm.writeLock().unlock();
      throw new IOException("Tried to lock " + lock.file + " but failed because: "
          + e.getMessage(), e);
    }
  }

  private static FileChannel open(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }
}
