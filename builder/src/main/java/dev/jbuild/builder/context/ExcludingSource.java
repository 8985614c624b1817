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
 * matched against paths relative to the source root.
 */
public final class ExcludingSource implements FileSource {
  private final FileSource source;
  private final DockerIgnore exclude;

  /** Hides from {@code source} what {@code exclude} matches. */
  public ExcludingSource(FileSource source, DockerIgnore exclude) {
    this.source = source;
    this.exclude = exclude;
  }

  private boolean hidden(String rel, Path host) {
    if (rel.isEmpty()) {
      return false;
    }
    return Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS) ? exclude.canSkipDirectory(rel)
        : exclude.matches(rel);
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
