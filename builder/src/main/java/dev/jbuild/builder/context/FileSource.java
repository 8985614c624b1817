package dev.jbuild.builder.context;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tree COPY and ADD read from: the build context, or the root filesystem of another stage or
 * image ({@code COPY --from}). Paths are relative, {@code /}-separated, without a leading slash;
 * the empty string is the root.
 */
public interface FileSource {
  /**
   * The host path holding the entry at {@code rel}, not following a final symlink; empty when it
   * does not exist or is excluded.
   */
  Optional<Path> locate(String rel) throws IOException;

  /** Sorted child names of directory {@code rel}, excluded entries left out. */
  List<String> list(String rel) throws IOException;

  /**
   * The visible children of directory {@code rel} with their host paths, sorted by name: what
   * {@link #list} then {@link #locate} of each child give, which a source may answer in one pass
   * (the context's checksum walks it once per COPY, so this is per file).
   */
  default Map<String, Path> children(String rel) throws IOException {
    Map<String, Path> out = new LinkedHashMap<>();
    for (String name : list(rel)) {
      String childRel = rel.isEmpty() ? name : rel + "/" + name;
      Optional<Path> c = locate(childRel);
      if (c.isPresent()) {
        out.put(name, c.get());
      }
    }
    return out;
  }

  /**
   * Resolves symlinks in {@code rel} inside the tree (a source named on the COPY line is followed
   * when it is a symlink, entries inside a copied directory are not).
   *
   * @return the resolved relative path
   */
  String resolve(String rel) throws IOException;

  /** Whether entries keep their owner ({@code COPY --from}) or become root's (the context). */
  boolean keepsOwnership();

  /** A short description for messages and cache keys, for example {@code context}. */
  String describe();
}
