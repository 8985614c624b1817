package dev.jbuild.builder.distribution;

import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.MountHints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Remembers which registry repositories hold each blob, learned from pulls and pushes, so that a
 * later push to another repository of the same registry can mount the blob instead of uploading it
 * (Docker's "v2 metadata"). One small file per blob under {@code <store>/distribution/locations},
 * holding {@code registry/repository} lines, most recent first.
 *
 * <p>Only hints: lost or stale entries cost an upload, never correctness, so concurrent writers
 * may overwrite each other's additions and failures to record are ignored.
 */
final class BlobLocations implements MountHints {
  private static final int MAX_PER_BLOB = 8;

  private final Path directory;

  BlobLocations(Path storeRoot) {
    this.directory = storeRoot.resolve("distribution").resolve("locations");
  }

  /** Records that {@code location} holds each of {@code digests}. Never throws. */
  void record(Iterable<Digest> digests, Location location) {
    for (Digest digest : digests) {
      try {
        Set<String> lines = new LinkedHashSet<>();
        lines.add(location.toString());
        lines.addAll(read(digest));
        List<String> kept = new ArrayList<>(lines).subList(0, Math.min(lines.size(), MAX_PER_BLOB));
        Files.createDirectories(directory);
        Path temp = Files.createTempFile(directory, digest.hex(), ".tmp");
        Files.write(temp, kept, StandardCharsets.UTF_8);
        Files.move(temp, file(digest), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        // A missing hint only costs an upload later.
      }
    }
  }

  @Override
  public List<Location> locations(Digest digest) {
    List<Location> result = new ArrayList<>();
    for (String line : read(digest)) {
      int slash = line.indexOf('/');
      if (slash > 0 && slash < line.length() - 1) {
        result.add(new Location(line.substring(0, slash), line.substring(slash + 1)));
      }
    }
    return result;
  }

  private List<String> read(Digest digest) {
    try {
      return Files.readAllLines(file(digest), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }

  private Path file(Digest digest) {
    return directory.resolve(digest.algorithm() + "-" + digest.hex());
  }
}
