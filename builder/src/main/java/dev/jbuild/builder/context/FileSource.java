package dev.jbuild.builder.context;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
