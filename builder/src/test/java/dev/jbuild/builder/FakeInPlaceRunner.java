package dev.jbuild.builder;

import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.runner.ContainerSpec;
import dev.jbuild.runner.InPlaceRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The in-place stand-in of {@link FakeCommandRunner}: the same tiny shell, but run directly in
 * one root directory, as the no-mount isolation mode runs RUN steps. No root needed.
 */
public final class FakeInPlaceRunner extends FakeCommandRunner implements InPlaceRunner {
  private final Path root;
  private final List<String> hostPaths;
  private final List<String> volumes;

  /** A runner over {@code root}, whose {@code hostPaths} belong to the host. */
  public FakeInPlaceRunner(Path root, List<String> hostPaths) {
    this(root, hostPaths, List.of());
  }

  /** A runner over {@code root} that reports {@code volumes} (which must be host paths too). */
  public FakeInPlaceRunner(Path root, List<String> hostPaths, List<String> volumes) {
    this.root = root;
    this.hostPaths = List.copyOf(hostPaths);
    this.volumes = List.copyOf(volumes);
  }

  @Override
  public List<String> volumes() {
    return volumes;
  }

  @Override
  public Path root() {
    return root;
  }

  @Override
  public List<String> hostPaths() {
    return hostPaths;
  }

  @Override
  RunFiles files(ContainerSpec spec) {
    if (!root.equals(spec.inPlaceRoot())) {
      throw new IllegalArgumentException("an in-place spec for " + root + " expected, got "
          + spec.inPlaceRoot());
    }
    return new RunFiles() {
      private Path host(String path) {
        return root.resolve(path.substring(1));
      }

      @Override
      public boolean exists(String path) {
        return Files.exists(host(path), LinkOption.NOFOLLOW_LINKS);
      }

      @Override
      public void mkdirs(String path) throws IOException {
        Files.createDirectories(host(path));
      }

      @Override
      public void write(String path, String text, boolean append) throws IOException {
        Files.writeString(host(path), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
      }

      @Override
      public void remove(String path) throws IOException {
        Trees.deleteRecursively(host(path));
      }

      @Override
      public Path locate(String path) {
        Path p = host(path);
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? p : null;
      }
    };
  }
}
