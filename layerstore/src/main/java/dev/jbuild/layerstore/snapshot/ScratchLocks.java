package dev.jbuild.layerstore.snapshot;

import dev.jbuild.layerstore.fs.FileLocks;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a lock on {@code scratch/<dir>/lock} while a {@link Scratch} is open, so that garbage
 * collection in another process can tell a live build's upperdir from one a killed process left.
 */
final class ScratchLocks {
  private static final ConcurrentHashMap<Path, FileLocks.Held> HELD = new ConcurrentHashMap<>();

  private ScratchLocks() {}

  static void hold(Path dir) throws IOException {
    Path lock = dir.resolve("lock");
    FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    try {
      HELD.put(dir.toAbsolutePath().normalize(), FileLocks.holdWhileOpen(channel, lock));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  static void release(Path dir) throws IOException {
    FileLocks.Held held = HELD.remove(dir.toAbsolutePath().normalize());
    if (held != null) {
      held.close();
    }
  }

  static boolean isHeld(Path dir) throws IOException {
    Path lock = dir.resolve("lock");
    if (!Files.exists(lock)) {
      // Being created (the lock comes first) or from an older jbuild: only old ones are stale.
      return Files.getLastModifiedTime(dir).toMillis() > System.currentTimeMillis() - 60_000;
    }
    return FileLocks.isLocked(lock);
  }
}
