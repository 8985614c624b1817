package dev.jbuild.builder.context;

import dev.jbuild.parser.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A source seen through {@code COPY --exclude} patterns (the {@code .dockerignore} syntax),
 * matched against paths relative to a base directory of the source (its root, or one source of
 * a COPY line, see {@link TreeCopier#excluding}); the base itself and what is outside it are
 * never hidden.
 */
public final class ExcludingSource implements FileSource {
  private final FileSource source;
  private final DockerIgnore exclude;
  private final String base;

  /** Hides from {@code source} what {@code exclude} matches, relative to the source root. */
  public ExcludingSource(FileSource source, DockerIgnore exclude) {
    this(source, exclude, "");
  }

  /**
   * Hides from {@code source} what {@code exclude} matches relative to {@code base} (a resolved
   * relative path, {@code ""} for the root).
   */
  public ExcludingSource(FileSource source, DockerIgnore exclude, String base) {
    this.source = source;
    this.exclude = exclude;
    this.base = base;
  }

  private boolean hidden(String rel, Path host) {
    String under;
    if (base.isEmpty()) {
      under = rel;
    } else if (rel.startsWith(base + "/")) {
      under = rel.substring(base.length() + 1);
    } else {
      return false;
    }
    if (under.isEmpty()) {
      return false;
    }
    return Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS) ? exclude.canSkipDirectory(under)
        : exclude.matches(under);
  }

  @Override
  public Optional<Path> locate(String rel) throws IOException {
    Optional<Path> p = source.locate(rel);
    return p.isPresent() && hidden(rel, p.get()) ? Optional.empty() : p;
  }

  @Override
  public List<String> list(String rel) throws IOException {
    List<String> names = new ArrayList<>();
    for (String name : source.list(rel)) {
      String child = rel.isEmpty() ? name : rel + "/" + name;
      if (locate(child).isPresent()) {
        names.add(name);
      }
    }
    return names;
  }

  @Override
  public String resolve(String rel) throws IOException {
    return source.resolve(rel);
  }

  @Override
  public boolean keepsOwnership() {
    return source.keepsOwnership();
  }

  @Override
  public String describe() {
    return source.describe() + " excluding " + exclude;
  }
}
