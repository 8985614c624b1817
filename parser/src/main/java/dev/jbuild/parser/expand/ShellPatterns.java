package dev.jbuild.parser.expand;

import java.util.regex.Pattern;

/**
 * Shell patterns as {@code ${name#pattern}}, {@code ${name%pattern}} and {@code
 * ${name/pattern/replacement}} use them (BuildKit's shell/lex.go, which converts them to Go
 * regular expressions the same way): {@code *} and {@code ?}, the escape token, shortest and
 * longest prefix and suffix matches.
 */
final class ShellPatterns {

  private ShellPatterns() {}

  /** Removes escape tokens kept by a raw-escape scan (replacements are not patterns). */
  static String unescape(String s, char escape) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == escape && i + 1 < s.length()) {
        c = s.charAt(++i);
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * Converts a shell pattern to a regular expression: {@code *} any run, {@code ?} any character,
   * the escape token makes the next character literal; everything else is literal.
   */
  static String globToRegex(String glob, char escape) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        regex.append(".*");
      } else if (c == '?') {
        regex.append('.');
      } else {
        if (c == escape && i + 1 < glob.length()) {
          c = glob.charAt(++i);
        }
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return regex.toString();
  }

  /** Removes the shortest (or, with {@code longest}, longest) prefix that {@code regex} matches. */
  static String trimPrefix(String value, String regex, boolean longest) {
    Pattern p = Pattern.compile(regex, Pattern.DOTALL);
    if (longest) {
      for (int end = value.length(); end >= 0; end--) {
        if (p.matcher(value.substring(0, end)).matches()) {
          return value.substring(end);
        }
      }
    } else {
      for (int end = 0; end <= value.length(); end++) {
        if (p.matcher(value.substring(0, end)).matches()) {
          return value.substring(end);
        }
      }
    }
    return value;
  }

  /** Removes the shortest (or, with {@code longest}, longest) suffix that {@code regex} matches. */
  static String trimSuffix(String value, String regex, boolean longest) {
    Pattern p = Pattern.compile(regex, Pattern.DOTALL);
    if (longest) {
      for (int start = 0; start <= value.length(); start++) {
        if (p.matcher(value.substring(start)).matches()) {
          return value.substring(0, start);
        }
      }
    } else {
      for (int start = value.length(); start >= 0; start--) {
        if (p.matcher(value.substring(start)).matches()) {
          return value.substring(0, start);
        }
      }
    }
    return value;
  }
}
