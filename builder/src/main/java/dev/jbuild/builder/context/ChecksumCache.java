package dev.jbuild.builder.context;

import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.posix.Stat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * File content hashes keyed by stat data (path, size, mtime, inode, ctime), so a rebuild hashes
 * only files that changed. Persisted as one file per context directory, a line per file: the
 * sha256 in hex, a space, the key (a file whose name holds a newline is not kept, only hashed
 * again). Plain lines rather than JSON: a cached build of a 20k-file context spent more time in
 * the JSON parser's field-name interning than in the walk itself. Losing or damaging the file
 * only costs time. Thread-safe.
 */
public final class ChecksumCache {
  private static final int HEX = 64;

  private final Path file;
  private final Map<String, String> sums = new ConcurrentHashMap<>();
  private final Map<String, String> used = new ConcurrentHashMap<>();
  private volatile boolean dirty;
  private final java.util.concurrent.atomic.AtomicInteger misses =
      new java.util.concurrent.atomic.AtomicInteger();

  private ChecksumCache(Path file) {
    this.file = file;
  }

  /** An in-memory cache that is never saved. */
  public static ChecksumCache inMemory() {
    return new ChecksumCache(null);
  }

  /** Loads the cache kept in {@code file} (a missing or unreadable file starts empty). */
  public static ChecksumCache load(Path file) {
    ChecksumCache cache = new ChecksumCache(file);
    try {
      if (Files.isRegularFile(file)) {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int at = 0;
        while (at < text.length()) {
          int end = text.indexOf('\n', at);
          if (end < 0) {
            break; // a cut last line: dropped
          }
          if (end - at > HEX + 1 && text.charAt(at + HEX) == ' ' && isHex(text, at)) {
            cache.sums.put(text.substring(at + HEX + 1, end), text.substring(at, at + HEX));
          }
          at = end + 1;
        }
      }
    } catch (IOException e) {
      // A damaged cache is only slower: start afresh.
    }
    return cache;
  }

  private static boolean isHex(String text, int at) {
    for (int i = at; i < at + HEX; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The sha256 (hex) of {@code path}'s content, computed only when its stat data changed. */
  public String sha256(Path path) throws IOException {
    return sha256(path, Posix.lstat(path));
  }

  /**
   * The same for a file whose stat data the caller already read (not following a final
   * symlink). The key holds times as nanoseconds (as NIO's {@code FileTime.to(NANOSECONDS)}
   * gives them, so keys saved by earlier versions still match): formatting them as text cost
   * more than the {@code lstat} on a 20k-file context.
   */
  String sha256(Path path, Stat stat) throws IOException {
    String key = path + "|" + stat.size() + "|" + stat.mtimeNanos() + "|" + stat.ino() + "|"
        + stat.ctimeNanos();
    String sum = sums.get(key);
    if (sum == null) {
      sum = CopyChecksum.hashFile(path);
      misses.incrementAndGet();
      sums.put(key, sum);
      dirty = true;
    }
    used.put(key, sum);
    return sum;
  }

  /** How many files this cache has hashed (read whole) since it was made or loaded. */
  int misses() {
    return misses.get();
  }

  /** Writes the cache back if it changed (atomically); errors are ignored, it is only a cache. */
  public void save() {
    if (file == null || !dirty) {
      return;
    }
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), ".sums-", ".tmp");
      // Only what this build looked at: entries for changed or deleted files age out.
      StringBuilder text = new StringBuilder(used.size() * 160);
      used.forEach((key, sum) -> {
        if (key.indexOf('\n') < 0) {
          text.append(sum).append(' ').append(key).append('\n');
        }
      });
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      dirty = false;
    } catch (IOException e) {
      // Only a cache.
    }
  }
}
