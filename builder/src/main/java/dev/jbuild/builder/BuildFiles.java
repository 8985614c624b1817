package dev.jbuild.builder;

import dev.jbuild.builder.context.DirectorySource;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The build's own files for {@link ImageBuilder}: the Dockerfile and its {@code .dockerignore},
 * each read only inside its own directory, as BuildKit reads them. Stateless.
 */
final class BuildFiles {
  private BuildFiles() {}

  /**
   * What {@code .dockerignore} (or {@code <Dockerfile>.dockerignore}) excludes. The file is read
   * through {@link #readInsideItsDirectory}, like the Dockerfile, so a link to a host file cannot
   * have that file's lines echoed in a pattern error.
   */
  static DockerIgnore ignoreRules(Path contextDir, BuildRequest request)
      throws BuildException {
    Optional<Path> file = DockerIgnore.locate(contextDir, request.dockerfile());
    if (file.isEmpty()) {
      return DockerIgnore.empty();
    }
    byte[] bytes;
    try {
      bytes = readInsideItsDirectory(file.get());
    } catch (NoSuchFileException e) {
      // A link that leads nowhere inside its directory: as if there were no ignore file.
      return DockerIgnore.empty();
    } catch (IOException e) {
      throw new BuildException(".dockerignore: Tried to read " + file.get()
          + " but failed because: " + e.getMessage(), e);
    }
    try {
      return DockerIgnore.decode(file.get(), bytes);
    } catch (IOException e) {
      throw new BuildException(".dockerignore: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a build file (the Dockerfile, an ignore file) following symlinks in its name only
   * inside its own directory, as BuildKit does (it shares that directory and resolves the name in
   * it): a hostile context whose {@code Dockerfile} links to {@code /etc/shadow} would otherwise
   * have that file parsed and its first word echoed in the syntax error.
   *
   * @throws NoSuchFileException if the name does not resolve to a regular file in the directory
   */
  private static byte[] readInsideItsDirectory(Path file) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path dir = absolute.getParent();
    String inside = DirectorySource.of(dir, false, "the Dockerfile's directory")
        .resolve(absolute.getFileName().toString());
    Path resolved = dir.resolve(inside);
    if (inside.isEmpty() || !Files.isRegularFile(resolved, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(file.toString());
    }
    return Files.readAllBytes(resolved);
  }

  static byte[] readDockerfile(BuildRequest request) throws BuildException {
    try {
      return readInsideItsDirectory(request.dockerfile());
    } catch (NoSuchFileException e) {
      throw new BuildException("failed to read the Dockerfile: " + request.dockerfile()
          + ": no such file or directory", e);
    } catch (IOException e) {
      throw new BuildException("failed to read the Dockerfile " + request.dockerfile() + ": "
          + e.getMessage(), e);
    }
  }
}
