package dev.jbuild.builder.context;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The sources of {@code COPY --parents}, each with the path it keeps under the destination.
 * BuildKit's rules (frontend/dockerfile/dockerfile_parents_test.go): a source keeps its whole
 * path ({@code a/b/c} lands at {@code DEST/a/b/c}) unless it holds the pivot {@code /./}, in which
 * case only what follows the first pivot is kept ({@code /test/a/./b/c} lands at {@code
 * DEST/b/c}). Wildcards may appear on both sides of the pivot and {@code **} after it matches any
 * number of directories; a wildcard that matches nothing copies nothing, a plain path that is
 * missing is an error.
 */
final class ParentsSources {
  /**
   * One matched entry.
   *
   * @param rel its resolved path in the source
   * @param host where its bytes are
   * @param kept the path it gets under the destination
   */
  record Entry(String rel, Path host, String kept) {}

  private final FileSource source;

  ParentsSources(FileSource source) {
    this.source = source;
  }

  /**
   * Matches {@code sources} as written on the COPY line.
   *
   * @throws NoSuchFileException when a source without wildcards is missing
   */
  List<Entry> expand(List<String> sources) throws IOException {
    List<Entry> entries = new ArrayList<>();
    for (String raw : sources) {
      int pivot = raw.indexOf("/./");
      String base = pivot >= 0 ? Paths.clean(raw.substring(0, pivot)) : "";
      String rest = Paths.clean(pivot >= 0 ? raw.substring(pivot + 3) : raw);
      boolean any = false;
      for (String dir : Globs.hasWildcard(base) ? glob("", base) : List.of(base)) {
        for (String kept : isPattern(rest) ? glob(dir, rest) : List.of(rest)) {
          String full = dir.isEmpty() ? kept : kept.isEmpty() ? dir : dir + "/" + kept;
          String resolved = source.resolve(full);
          Optional<Path> host = source.locate(resolved);
          if (host.isPresent()) {
            entries.add(new Entry(resolved, host.get(), kept));
            any = true;
          }
        }
      }
      if (!any && !isPattern(raw)) {
        throw new NoSuchFileException("\"/" + Paths.clean(raw) + "\": not found in "
            + source.describe());
      }
    }
    return entries;
  }

  private static boolean isPattern(String path) {
    return Globs.hasWildcard(path);
  }

  /** The paths under {@code base} (relative to it) that {@code pattern} matches. */
  private List<String> glob(String base, String pattern) throws IOException {
    Set<String> current = new LinkedHashSet<>(List.of(""));
    for (String part : pattern.split("/")) {
      Set<String> next = new LinkedHashSet<>();
      if (part.equals("**")) {
        for (String dir : current) {
          next.add(dir);
          descendants(base, dir, next);
        }
      } else if (Globs.hasWildcard(part)) {
        Pattern p = Globs.compile(part);
        for (String dir : current) {
          for (String child : source.list(join(base, dir))) {
            if (p.matcher(child).matches()) {
              next.add(join(dir, child));
            }
          }
        }
      } else {
        for (String dir : current) {
          next.add(join(dir, part));
        }
      }
      current = next;
    }
    current.remove("");
    return List.copyOf(current);
  }

  /** Adds every directory below {@code dir} (relative to {@code base}) to {@code out}. */
  private void descendants(String base, String dir, Set<String> out) throws IOException {
    for (String child : source.list(join(base, dir))) {
      String rel = join(dir, child);
      Optional<Path> host = source.locate(join(base, rel));
      if (host.isPresent() && Files.isDirectory(host.get(), LinkOption.NOFOLLOW_LINKS)) {
        out.add(rel);
        descendants(base, rel, out);
      }
    }
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : b.isEmpty() ? a : a + "/" + b;
  }
}
