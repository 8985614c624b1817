package dev.jbuild.layerstore.image;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The tag database of an {@link ImageStore}: a JSON map from {@code name:tag} to manifest
 * descriptor. Updates hold a file lock and replace the file by atomic rename, so concurrent
 * jbuild processes never lose each other's tags and readers never see a half-written file.
 */
final class TagDatabase {
  private static final TypeReference<TreeMap<String, Descriptor>> TAGS_TYPE =
      new TypeReference<>() {};

  private final Path tagsFile;
  private final Path lockFile;

  TagDatabase(Path tagsFile, Path lockFile) {
    this.tagsFile = tagsFile;
    this.lockFile = lockFile;
  }

  /** The JSON file. */
  Path file() {
    return tagsFile;
  }

  /** The database key of a tagged reference: {@code name:tag}. */
  static String key(ImageReference ref) {
    if (ref.tag() == null) {
      throw new IllegalArgumentException("Tried to tag " + ref + " but a tag is needed");
    }
    return ref.name() + ":" + ref.tag();
  }

  /** The whole database; empty when the file does not exist yet. */
  TreeMap<String, Descriptor> read() throws IOException {
    try {
      return OciJson.mapper().readValue(Files.readAllBytes(tagsFile), TAGS_TYPE);
    } catch (NoSuchFileException e) {
      return new TreeMap<>();
    } catch (IOException e) {
      throw new IOException("Tried to read the tag database " + tagsFile + " but failed because: "
          + e.getMessage() + "; restore or delete the file", e);
    }
  }

  /**
   * Applies {@code change} under the database's file lock and writes the result atomically when
   * it returns true.
   */
  @SuppressWarnings("try") // the lock is held by the try block, not used in it
  boolean update(Function<TreeMap<String, Descriptor>, Boolean> change)
      throws IOException {
    try (FileLocks.Held lock = FileLocks.lock(lockFile)) {
      TreeMap<String, Descriptor> tags = read();
      boolean changed = change.apply(tags);
      if (changed) {
        FileLocks.writeAtomically(tagsFile, OciJson.toBytes(tags));
      }
      return changed;
    }
  }
}
