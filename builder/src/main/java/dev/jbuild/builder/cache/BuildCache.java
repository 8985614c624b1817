package dev.jbuild.builder.cache;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Maps a step's cache key to its result: a layer, or "no change". Entries are small JSON files
 * under {@code <store>/cache/build/}, written by atomic rename, so concurrent builds and crashes
 * never leave a half-written entry. A hit whose layer blob is gone from the content store (pruned)
 * counts as a miss. Thread-safe.
 */
public final class BuildCache {
  private final Path dir;
  private final ContentStore content;

  /** A cache in {@code dir} whose layers live in {@code content}. */
  public BuildCache(Path dir, ContentStore content) {
    this.dir = dir;
    this.content = content;
  }

  /** The directory holding the entries (for {@code jbuild prune}). */
  public Path directory() {
    return dir;
  }

  /**
   * The recorded result of {@code key}.
   *
   * @return empty on a miss
   */
  public Optional<Hit> get(Digest key) {
    Path file = dir.resolve(key.hex());
    try {
      Entry e = OciJson.fromBytes(Files.readAllBytes(file), Entry.class);
      if (e.layer() != null && !content.contains(e.layer().blob().digest())) {
        return Optional.empty();
      }
      return Optional.of(new Hit(Optional.ofNullable(e.layer()), e.created()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      // A damaged entry is a miss; it is overwritten when the step runs again.
      return Optional.empty();
    }
  }

  /**
   * Records the result of {@code key} and when it was made (reused for the history of later
   * hits, so an unchanged rebuild gives the same image ID). Failures are ignored: the cache is an
   * optimisation.
   */
  public void put(Digest key, Optional<Layer> layer, String created) {
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".entry-", ".tmp");
      Files.write(tmp, OciJson.toBytes(new Entry(layer.orElse(null), created)));
      Files.move(tmp, dir.resolve(key.hex()), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // Not fatal: the next build just runs the step again.
    }
  }

  /**
   * A cache hit.
   *
   * @param layer the step's layer, or empty when it changed nothing
   * @param created when the step originally ran (RFC 3339), or null for old entries
   */
  public record Hit(Optional<Layer> layer, String created) {}

  /**
   * One cache entry.
   *
   * @param layer the layer, or null when the step changed nothing
   * @param created when the step ran
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Entry(@JsonProperty("layer") Layer layer, @JsonProperty("created") String created) {}
}
