package dev.jbuild.builder.context;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A host directory read in place: the build context (entries excluded by {@code .dockerignore}
 * are invisible, owners become root's) or a scratch directory holding downloaded or extracted
 * files. Symlinks never lead out of it.
 */
public final class DirectorySource implements FileSource {
  private final Path root;
  private final Predicate<String> excluded;
  private final boolean keepsOwnership;
  private final String description;

  /**
   * Creates the source.
   *
   * @param excluded tells whether a relative path is excluded (by {@code .dockerignore})
   * @param keepsOwnership whether copied entries keep their owners (extracted archives)
   * @param description what it is, for messages ({@code build context})
   */
  public DirectorySource(Path root, Predicate<String> excluded, boolean keepsOwnership,
      String description) {
    this.root = root.toAbsolutePath().normalize();
    this.excluded = excluded;
    this.keepsOwnership = keepsOwnership;
    this.description = description;
  }

  /** The build context: root's ownership, {@code .dockerignore} applied by {@code excluded}. */
  public static DirectorySource context(Path root, Predicate<String> excluded) {
    return new DirectorySource(root, excluded, false, "the build context");
  }

  /** The directory. */
  public Path root() {
    return root;
  }

  @Override
  public Optional<Path> locate(String rel) {
    if (!rel.isEmpty() && excluded.test(rel)) {
      return Optional.empty();
    }
    Path p = rel.isEmpty() ? root : root.resolve(rel);
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? Optional.of(p) : Optional.empty();
  }

  @Override
  public List<String> list(String rel) throws IOException {
    Path dir = rel.isEmpty() ? root : root.resolve(rel);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> children = Files.list(dir)) {
      children.forEach(c -> {
        String name = c.getFileName().toString();
        if (!excluded.test(rel.isEmpty() ? name : rel + "/" + name)) {
          names.add(name);
        }
      });
    }
    names.sort(null);
    return names;
  }

  @Override
  public String resolve(String rel) throws IOException {
    return Paths.resolveInside(rel, r -> {
      Path p = r.isEmpty() ? root : root.resolve(r);
      return Files.isSymbolicLink(p) ? Optional.of(Files.readSymbolicLink(p).toString())
          : Optional.empty();
    });
  }

  @Override
  public boolean keepsOwnership() {
    return keepsOwnership;
  }

  @Override
  public String describe() {
    return description;
  }
}
