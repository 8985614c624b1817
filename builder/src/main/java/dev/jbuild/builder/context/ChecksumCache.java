package dev.jbuild.builder.context;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * File content hashes keyed by stat data (path, size, mtime, inode, ctime), so a rebuild hashes
 * only files that changed. Persisted as one JSON file per context directory; losing it only costs
 * time. Thread-safe.
 */
public final class ChecksumCache {
  private static final ObjectMapper JSON = new ObjectMapper();

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
        cache.sums.putAll(JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() {}));
      }
    } catch (IOException e) {
      // A damaged cache is only slower: start afresh.
    }
    return cache;
  }

  /**
   * The {@code unix:} attributes {@link #sha256(Path, Map)} needs, for a caller that reads more
   * of them in the same {@code lstat}.
   */
  static final String STAT_ATTRIBUTES = "unix:mode,size,lastModifiedTime,ino,ctime";

  /** The sha256 (hex) of {@code path}'s content, computed only when its stat data changed. */
  public String sha256(Path path) throws IOException {
    return sha256(path, Files.readAttributes(path, STAT_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS));
  }

  /**
   * The same for a file whose {@link #STAT_ATTRIBUTES} the caller already read (not following a
   * final symlink). The key holds times as nanoseconds: formatting them as text cost more than
   * the {@code lstat} on a 20k-file context.
   */
  String sha256(Path path, Map<String, Object> stat) throws IOException {
    String key = path + "|" + stat.get("size") + "|" + nanos(stat.get("lastModifiedTime")) + "|"
        + stat.get("ino") + "|" + nanos(stat.get("ctime"));
    String sum = sums.get(key);
    if (sum == null) {
      sum = TreeCopier.hashFile(path);
      misses.incrementAndGet();
      sums.put(key, sum);
      dirty = true;
    }
    used.put(key, sum);
    return sum;
  }

  private static long nanos(Object time) {
    return ((FileTime) time).to(TimeUnit.NANOSECONDS);
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
      JSON.writeValue(tmp.toFile(), used);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      dirty = false;
    } catch (IOException e) {
      // Only a cache.
    }
  }
}
