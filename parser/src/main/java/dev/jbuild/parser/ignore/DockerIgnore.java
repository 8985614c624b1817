package dev.jbuild.parser.ignore;

import dev.jbuild.parser.InvalidUtf8Exception;
import dev.jbuild.parser.Utf8Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code .dockerignore} matcher with the semantics of moby/patternmatcher and its ignorefile
 * reader, as used by BuildKit for the build context (and for {@code COPY --exclude}).
 *
 * <p>Reading ({@link #parse}): a leading byte-order mark is removed; a line whose first character
 * is {@code #} is a comment (checked before trimming, so {@code " #x"} is a pattern); lines are
 * trimmed and blank ones skipped; a leading {@code !} makes an exception, whose rest is trimmed
 * again; the pattern is then cleaned like Go's {@code filepath.Clean} and one leading {@code /} is
 * removed ({@code /foo/bar/} becomes {@code foo/bar}).
 *
 * <p>Matching ({@link #matches}): every pattern is tried in order against the path and each of
 * its parent directories; the last pattern that matches decides, so {@code !} exceptions re-include
 * what earlier patterns excluded and later patterns exclude again. A pattern matching a directory
 * therefore covers everything below it. See {@link IgnorePattern} for the glob syntax.
 *
 * <p>While walking the context, call {@link #canSkipDirectory} on each directory: when it returns
 * {@code true} nothing below the directory can be included and the walk need not descend. The
 * Dockerfile and the ignore file are read by the builder even when excluded; COPY just does not see
 * them. Immutable and thread-safe.
 */
public final class DockerIgnore {

  private static final DockerIgnore EMPTY = new DockerIgnore(List.of());

  private final List<IgnorePattern> patterns;
  private final boolean hasExceptions;

  private DockerIgnore(List<IgnorePattern> patterns) {
    this.patterns = List.copyOf(patterns);
    this.hasExceptions = patterns.stream().anyMatch(IgnorePattern::exception);
  }

  /** Returns a matcher that excludes nothing. */
  public static DockerIgnore empty() {
    return EMPTY;
  }

  /**
   * Parses the content of an ignore file.
   *
   * @param text the file content
   * @return the matcher
   * @throws IllegalArgumentException {@code illegal exclusion pattern: "!"} for a bare {@code !},
   *     {@code syntax error in pattern: "..."} for a malformed character class or trailing escape
   */
  public static DockerIgnore parse(String text) {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    List<String> lines = new ArrayList<>();
    for (String line : body.split("\n", -1)) {
      if (line.startsWith("#")) {
        continue;
      }
      lines.add(line);
    }
    return of(lines);
  }

  /**
   * Builds a matcher from pattern lines (no comment handling), e.g. the values of {@code COPY
   * --exclude}.
   *
   * @param lines patterns in order, {@code !} prefix for exceptions
   * @return the matcher
   * @throws IllegalArgumentException as {@link #parse}
   */
  public static DockerIgnore of(List<String> lines) {
    List<IgnorePattern> patterns = new ArrayList<>();
    for (String raw : lines) {
      String pattern = raw.strip();
      if (pattern.isEmpty()) {
        continue;
      }
      boolean exception = pattern.charAt(0) == '!';
      if (exception) {
        pattern = pattern.substring(1).strip();
        if (pattern.isEmpty()) {
          throw new IllegalArgumentException("illegal exclusion pattern: \"!\"");
        }
      }
      pattern = clean(pattern);
      if (pattern.length() > 1 && pattern.charAt(0) == '/') {
        pattern = pattern.substring(1);
      }
      patterns.add(new IgnorePattern(pattern, exception));
    }
    return new DockerIgnore(patterns);
  }

  /**
   * Picks the ignore file for a build, as BuildKit does: {@code <Dockerfile path>.dockerignore}
   * (next to the Dockerfile, e.g. {@code app.Dockerfile.dockerignore}) wins over {@code
   * <context>/.dockerignore}.
   *
   * @param contextDir the build context directory
   * @param dockerfile the Dockerfile path (inside or outside the context)
   * @return the file to use, or empty when neither exists
   */
  public static Optional<Path> locate(Path contextDir, Path dockerfile) {
    if (dockerfile != null && dockerfile.getFileName() != null) {
      Path specific = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
      if (Files.isRegularFile(specific)) {
        return Optional.of(specific);
      }
    }
    Path common = contextDir.resolve(".dockerignore");
    return Files.isRegularFile(common) ? Optional.of(common) : Optional.empty();
  }

  /**
   * Loads the ignore file chosen by {@link #locate}, or {@link #empty()} when there is none.
   * Follows symlinks; a caller reading an untrusted context reads the bytes itself, confined to
   * the file's directory, and calls {@link #decode}.
   *
   * @throws IOException as {@link #decode}, or when the file cannot be read
   */
  public static DockerIgnore load(Path contextDir, Path dockerfile) throws IOException {
    Optional<Path> file = locate(contextDir, dockerfile);
    if (file.isEmpty()) {
      return EMPTY;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file.get());
    } catch (IOException e) {
      throw new IOException(
          "Tried to read " + file.get() + " but failed because: " + e.getMessage(), e);
    }
    return decode(file.get(), bytes);
  }

  /**
   * Parses an ignore file's bytes as strict UTF-8, the one place that words its errors.
   *
   * @param file the file's name, for messages
   * @throws IOException {@code FILE:LINE:COLUMN: invalid UTF-8: byte 0xNN} when it is not UTF-8,
   *     "Tried to read FILE but failed because: ..." for an invalid pattern
   */
  public static DockerIgnore decode(Path file, byte[] bytes) throws IOException {
    String text;
    try {
      text = Utf8Text.decode(bytes);
    } catch (InvalidUtf8Exception e) {
      throw new IOException(file + ":" + e.getMessage(), e);
    }
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "Tried to read " + file + " but failed because: " + e.getMessage(), e);
    }
  }

  /** Returns the cleaned patterns in order. */
  public List<IgnorePattern> patterns() {
    return patterns;
  }

  /** Returns whether any pattern is an {@code !} exception. */
  public boolean hasExceptions() {
    return hasExceptions;
  }

  /**
   * Returns whether the path is excluded from the context.
   *
   * @param relPath path relative to the context root, {@code /}-separated (cleaned like the
   *     patterns; a leading {@code ./} or {@code /} is ignored)
   * @return true when the last pattern matching the path or one of its parents is not an exception
   */
  public boolean matches(String relPath) {
    if (patterns.isEmpty()) {
      return false; // most contexts: asked once per file of a COPY's checksum walk
    }
    String path = clean(relPath);
    if (path.startsWith("/")) {
      path = path.length() == 1 ? "." : path.substring(1);
    }
    List<String> parents = new ArrayList<>();
    int slash = path.indexOf('/');
    while (slash >= 0) {
      parents.add(path.substring(0, slash));
      slash = path.indexOf('/', slash + 1);
    }
    boolean matched = false;
    for (IgnorePattern pattern : patterns) {
      // Like patternmatcher: only a pattern that could flip the current answer is evaluated.
      if (pattern.exception() != matched) {
        continue;
      }
      boolean match = pattern.matches(path);
      for (int i = 0; !match && i < parents.size(); i++) {
        match = pattern.matches(parents.get(i));
      }
      if (match) {
        matched = !pattern.exception();
      }
    }
    return matched;
  }

  /**
   * Returns whether a context walk may skip the directory and everything below it: the directory
   * is excluded and no exception pattern could re-include the directory or anything inside it.
   * Conservative: when in doubt (an exception with {@code **}, or one matching a prefix of the
   * directory) it returns {@code false} and the walk should descend and call {@link #matches} per
   * entry.
   *
   * @param relDir directory path relative to the context root, {@code /}-separated
   */
  public boolean canSkipDirectory(String relDir) {
    if (!matches(relDir)) {
      return false;
    }
    if (!hasExceptions) {
      return true;
    }
    String dir = clean(relDir);
    String[] dirSegments = dir.split("/", -1);
    for (IgnorePattern pattern : patterns) {
      if (pattern.exception() && couldMatchAtOrBelow(pattern.segments(), dirSegments)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether an exception pattern could match the directory, one of its parents or something
   * inside it, comparing segment by segment.
   */
  private static boolean couldMatchAtOrBelow(List<String> pattern, String[] dir) {
    for (int i = 0; i < pattern.size(); i++) {
      String segment = pattern.get(i);
      if (segment.contains("**")) {
        return true;
      }
      if (i >= dir.length) {
        return true; // the pattern continues below the directory
      }
      if (!IgnorePattern.compile(segment).matcher(dir[i]).matches()) {
        return false;
      }
    }
    return true; // the pattern matches the directory or one of its parents
  }

  /**
   * Go's {@code filepath.Clean} on a {@code /}-separated path: removes empty and {@code .}
   * elements, resolves {@code ..} lexically (kept at the start of a relative path, dropped at the
   * root) and returns {@code .} for an empty result.
   */
  static String clean(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    boolean rooted = path.charAt(0) == '/';
    List<String> out = new ArrayList<>();
    for (String element : path.split("/")) {
      if (element.isEmpty() || element.equals(".")) {
        continue;
      }
      if (element.equals("..")) {
        if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
          out.remove(out.size() - 1);
        } else if (!rooted) {
          out.add("..");
        }
        continue;
      }
      out.add(element);
    }
    String joined = String.join("/", out);
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }

  @Override
  public String toString() {
    return "DockerIgnore" + patterns;
  }
}
