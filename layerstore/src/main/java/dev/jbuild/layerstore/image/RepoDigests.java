package dev.jbuild.layerstore.image;

import dev.jbuild.layerstore.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The repo digests of stored images ({@code name@sha256:…}, docker's {@code RepoDigests}): only
 * what a registry accepted (a push) or served (a pull), never something made up from a local tag,
 * so a CI script reading {@code {{index .RepoDigests 0}}} gets a digest it can pull. One small
 * file per image under {@code images/repo-digests/}, keyed by the stored manifest's digest,
 * replaced by atomic rename. Thread-safe enough for its use: concurrent recorders of the same
 * image may lose each other's line, which the next push or pull records again.
 */
public final class RepoDigests {
  private final Path directory;

  /** The repo digests of the store rooted at {@code storeRoot}. */
  public RepoDigests(Path storeRoot) {
    this.directory = storeRoot.resolve("images").resolve("repo-digests");
  }

  /**
   * Records that the registry repository {@code name} holds the image whose stored manifest is
   * {@code image} under {@code repoDigest} (the manifest's, or the index's for a pulled
   * multi-platform image). The newest is listed first.
   */
  public void record(Digest image, String name, Digest repoDigest) throws IOException {
    Set<String> lines = new LinkedHashSet<>();
    lines.add(name + "@" + repoDigest);
    lines.addAll(of(image));
    Files.createDirectories(directory);
    Path tmp = Files.createTempFile(directory, ".rd-", ".tmp");
    try {
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      Files.move(tmp, directory.resolve(image.hex()), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The recorded repo digests of {@code image}, newest first; empty when none. */
  public List<String> of(Digest image) throws IOException {
    try {
      List<String> out = new ArrayList<>();
      for (String line : Files.readAllLines(directory.resolve(image.hex()),
          StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          out.add(line.strip());
        }
      }
      return out;
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }
}
