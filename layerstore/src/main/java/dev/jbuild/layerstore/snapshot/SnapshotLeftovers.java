package dev.jbuild.layerstore.snapshot;

import dev.jbuild.layerstore.fs.FileLocks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds what interrupted {@link SnapshotStore} work left behind, for {@link
 * SnapshotStore#leftovers()}: work is live while its process holds the lock it was named after,
 * so only the dead's leftovers are listed.
 */
final class SnapshotLeftovers {
  private SnapshotLeftovers() {}

  static List<Path> find(SnapshotStore store, Path root) throws IOException {
    List<Path> stale = new ArrayList<>();
    try (var files = Files.list(root.resolve("tmp"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        // Extractions are named <chainhex>.<random> and hold that ChainID's lock; removals
        // ("rm-") only happen under the store's exclusive lock, so any seen here are stale.
        String name = p.getFileName().toString();
        boolean live = name.indexOf('.') == 64
            && FileLocks.isLocked(root.resolve("meta/locks/" + name.substring(0, 64)));
        if (!live) {
          stale.add(p);
        }
      }
    }
    try (var files = Files.list(root.resolve("scratch"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (!ScratchLocks.isHeld(p)) {
          stale.add(p);
        }
      }
    }
    java.util.Set<String> published = new java.util.HashSet<>();
    for (SnapshotRecord r : store.list()) {
      published.add(r.id());
    }
    try (var files = Files.list(root)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String id = p.getFileName().toString();
        if (id.matches("[0-9]+") && !published.contains(id) && !beingPublished(store, root, id)) {
          stale.add(p);
        }
      }
    }
    try (var files = Files.list(root.resolve("meta/info"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String id = p.getFileName().toString();
        if (id.matches("[0-9]+") ? !published.contains(id) && !beingPublished(store, root, id)
            : olderThanAMinute(p)) {
          stale.add(p);
        }
      }
    }
    try (var files = Files.list(root.resolve("meta/chains"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.getFileName().toString().startsWith(".") && olderThanAMinute(p)) {
          stale.add(p);
        }
      }
    }
    return stale;
  }

  /** True while the process unpacking snapshot {@code id} still holds its ChainID lock. */
  private static boolean beingPublished(SnapshotStore store, Path root, String id)
      throws IOException {
    Optional<SnapshotRecord> r = store.record(id);
    return r.isPresent()
        && FileLocks.isLocked(root.resolve("meta/locks/" + r.get().chainId().hex()));
  }

  private static boolean olderThanAMinute(Path file) throws IOException {
    try {
      return Files.getLastModifiedTime(file, java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis()
          < System.currentTimeMillis() - 60_000;
    } catch (NoSuchFileException e) {
      return false;
    }
  }
}
