package dev.jbuild.builder.context;

import dev.jbuild.layerstore.fs.FileNames;
import java.io.IOException;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A host directory read in place: the build context (entries excluded by {@code .dockerignore}
 * are invisible, owners become root's) or a scratch directory holding downloaded or extracted
 * files. Symlinks never lead out of it.
 */
public final class DirectorySource implements FileSource {
  private final Path root;
  private final DockerIgnore excluded;
  private final boolean keepsOwnership;
  private final String description;

  /**
   * Creates the source.
   *
   * @param excluded what {@code .dockerignore} excludes
   * @param keepsOwnership whether copied entries keep their owners (extracted archives)
   * @param description what it is, for messages ({@code build context})
   */
  public DirectorySource(Path root, DockerIgnore excluded, boolean keepsOwnership,
      String description) {
    this.root = root.toAbsolutePath().normalize();
    this.excluded = excluded;
    this.keepsOwnership = keepsOwnership;
    this.description = description;
  }

  /** The build context: root's ownership, {@code .dockerignore} applied. */
  public static DirectorySource context(Path root, DockerIgnore excluded) {
    return new DirectorySource(root, excluded, false, "the build context");
  }

  /**
   * A {@code --build-context NAME=DIR}: owners become root's and the directory's own {@code
   * .dockerignore} applies, as BuildKit's dockerui loads a named local context (it reads that
   * file first, then the rest with its patterns excluded; testNamedLocalContext).
   *
   * @throws IOException when the {@code .dockerignore} cannot be read or parsed, saying which
   */
  public static DirectorySource namedContext(Path root, String description) throws IOException {
    Path file = root.resolve(".dockerignore");
    DockerIgnore excluded = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
        ? DockerIgnore.decode(file, Files.readAllBytes(file)) : DockerIgnore.empty();
    return new DirectorySource(root, excluded, false, description);
  }

  /** The directory. */
  public Path root() {
    return root;
  }

  /** A plain directory: nothing excluded. */
  public static DirectorySource of(Path root, boolean keepsOwnership, String description) {
    return new DirectorySource(root, DockerIgnore.empty(), keepsOwnership, description);
  }

  @Override
  public Optional<Path> locate(String rel) {
    Path p = rel.isEmpty() ? root : FileNames.resolve(root, rel);
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) || !rel.isEmpty() && isExcluded(rel, p)) {
      return Optional.empty();
    }
    return Optional.of(p);
  }

  /**
   * Excluded files are invisible; an excluded directory stays visible while an exception
   * pattern ({@code !dir/keep}) could re-include something inside it.
   */
  private boolean isExcluded(String rel, Path p) {
    // A name no pattern matches is visible whatever its type (canSkipDirectory starts with the
    // same test), so the lstat is made only for matches: listing 20k context files made 20k.
    if (!excluded.matches(rel)) {
      return false;
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return excluded.canSkipDirectory(rel);
    }
    return true;
  }

  @Override
  public List<String> list(String rel) throws IOException {
    Path dir = rel.isEmpty() ? root : FileNames.resolve(root, rel);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> children = Files.list(dir)) {
      children.forEach(c -> {
        String name = FileNames.name(c);
        if (!isExcluded(rel.isEmpty() ? name : rel + "/" + name, c)) {
          names.add(name);
        }
      });
    }
    names.sort(null);
    return names;
  }

  /** {@link #list}'s entries exist and are not excluded: {@link #locate} would only stat again. */
  @Override
  public Map<String, Path> children(String rel) throws IOException {
    Path dir = rel.isEmpty() ? root : FileNames.resolve(root, rel);
    Map<String, Path> out = new LinkedHashMap<>();
    for (String name : list(rel)) {
      out.put(name, FileNames.resolve(dir, name));
    }
    return out;
  }

  @Override
  public String resolve(String rel) throws IOException {
    return Paths.resolveInside(rel, r -> {
      Path p = r.isEmpty() ? root : FileNames.resolve(root, r);
      return Files.isSymbolicLink(p) ? Optional.of(FileNames.string(Files.readSymbolicLink(p)))
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
