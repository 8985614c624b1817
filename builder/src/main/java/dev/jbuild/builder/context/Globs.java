package dev.jbuild.builder.context;

import java.util.regex.Pattern;

/**
 * Go's {@code filepath.Match} patterns, as COPY and ADD sources use them: {@code *} and {@code ?}
 * never match {@code /}, {@code [...]} classes with {@code ^} or {@code !} negation and ranges,
 * {@code \} escapes the next character.
 */
final class Globs {
  private Globs() {}

  /** True when {@code s} contains a pattern metacharacter. */
  static boolean hasWildcard(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
  }

  /**
   * Compiles one path component's pattern.
   *
   * @throws IllegalArgumentException on a malformed class ("syntax error in pattern")
   */
  static Pattern compile(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> re.append("[^/]*");
        case '?' -> re.append("[^/]");
        case '\\' -> {
          if (++i >= glob.length()) {
            throw new IllegalArgumentException("syntax error in pattern: " + glob);
          }
          re.append(Pattern.quote(String.valueOf(glob.charAt(i))));
        }
        case '[' -> {
          int end = glob.indexOf(']', i + 2);
          if (end < 0) {
            throw new IllegalArgumentException("syntax error in pattern: " + glob);
          }
          String body = glob.substring(i + 1, end);
          StringBuilder cls = new StringBuilder("[");
          int j = 0;
          if (body.startsWith("^") || body.startsWith("!")) {
            cls.append('^');
            j = 1;
          }
          for (; j < body.length(); j++) {
            char b = body.charAt(j);
            if (b == '\\' && j + 1 < body.length()) {
              b = body.charAt(++j);
            }
            if (b == '-' && j > 0 && j < body.length() - 1) {
              cls.append('-');
            } else {
              cls.append(Character.isLetterOrDigit(b) ? String.valueOf(b)
                  : String.format("\\x{%x}", (int) b));
            }
          }
          re.append(cls).append(']');
          i = end;
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
