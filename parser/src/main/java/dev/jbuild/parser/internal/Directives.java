package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.CheckOptions;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.SourceRange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parser directives ({@code # syntax=...}, {@code # escape=...}, {@code # check=...}) at the top of
 * a Dockerfile, following BuildKit's parser/directives.go: scanning stops at the first line that is
 * not a recognised directive (blank line, ordinary comment, unknown key or instruction), so a later
 * {@code # escape=} is just a comment. Directive lines are comments for the rest of the parser.
 */
final class Directives {

  // Key, '=', value with surrounding blanks trimmed (directives.go reDirective).
  private static final Pattern DIRECTIVE =
      Pattern.compile("^#[ \\t]*([a-zA-Z][a-zA-Z0-9]*)[ \\t]*=[ \\t]*(.+?)[ \\t]*$");
  private static final Set<String> KNOWN = Set.of("syntax", "escape", "check");

  private final Map<String, String> values;
  private final char escapeToken;

  private Directives(Map<String, String> values, char escapeToken) {
    this.values = values;
    this.escapeToken = escapeToken;
  }

  /**
   * Reads the directives at the top of the file.
   *
   * @param lines the physical lines
   * @param fileName file name for error messages
   * @return the directives found
   * @throws DockerfileSyntaxException for a duplicate directive or an invalid escape token
   */
  static Directives scan(List<String> lines, String fileName) throws DockerfileSyntaxException {
    Map<String, String> values = new LinkedHashMap<>();
    char escape = '\\';
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int indent = Blanks.skip(line, 0);
      Matcher m = DIRECTIVE.matcher(line.substring(indent));
      if (!m.matches()) {
        break;
      }
      String key = m.group(1).toLowerCase(Locale.ROOT);
      if (!KNOWN.contains(key)) {
        break;
      }
      SourceRange range = new SourceRange(i + 1, indent + 1, i + 1, Math.max(line.length(), 1));
      if (values.containsKey(key)) {
        throw new DockerfileSyntaxException(
            fileName, range, "only one " + key + " parser directive can be used");
      }
      String value = m.group(2);
      if (key.equals("escape")) {
        if (!value.equals("`") && !value.equals("\\")) {
          throw new DockerfileSyntaxException(
              fileName,
              range,
              "invalid escape token '" + value + "' does not match ` or \\");
        }
        escape = value.charAt(0);
      }
      if (key.equals("check")) {
        try {
          CheckOptions.parse(value);
        } catch (IllegalArgumentException e) {
          throw new DockerfileSyntaxException(fileName, range, e.getMessage());
        }
      }
      values.put(key, value);
    }
    return new Directives(values, escape);
  }

  /** Returns the options of the {@code check} directive, already validated by {@link #scan}. */
  CheckOptions checkOptions() {
    return CheckOptions.parse(values.get("check"));
  }

  /** Returns the directives with lower-case keys in source order. */
  Map<String, String> values() {
    return values;
  }

  /** Returns the escape token, {@code '\\'} unless {@code # escape=`} was given. */
  char escapeToken() {
    return escapeToken;
  }
}
