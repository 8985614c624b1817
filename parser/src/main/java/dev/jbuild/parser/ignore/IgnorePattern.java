package dev.jbuild.parser.ignore;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One cleaned {@code .dockerignore} pattern, compiled like moby/patternmatcher: {@code *} matches
 * any run of characters except {@code /}, {@code ?} one character except {@code /}, {@code [...]}
 * a character class ({@code [^...]} negated, ranges {@code a-c}), {@code \} escapes the next
 * character, and {@code **} matches zero or more path segments ({@code **}{@code /x} also matches
 * {@code x}; a trailing {@code **} matches everything below). Patterns are anchored at the context
 * root: {@code *.go} matches {@code a.go} but not {@code dir/a.go}.
 *
 * @param text the cleaned pattern without the leading {@code !}
 * @param exception whether the pattern was written {@code !pattern} (re-includes matches)
 */
public record IgnorePattern(String text, boolean exception) {

  /** Validates the pattern syntax. */
  public IgnorePattern {
    Objects.requireNonNull(text, "text");
    compile(text); // throws on a bad class
  }

  /** Returns whether the pattern matches the whole relative path ({@code /}-separated). */
  public boolean matches(String path) {
    return regex().matcher(path).matches();
  }

  /** Returns the pattern text split at {@code /}, for directory pruning. */
  List<String> segments() {
    return List.of(text.split("/", -1));
  }

  private Pattern regex() {
    return Cache.get(text);
  }

  /** Small cache so the record stays a plain value while matching does not recompile. */
  private static final class Cache {
    private static final java.util.Map<String, Pattern> PATTERNS =
        java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
              private static final long serialVersionUID = 1L;

              @Override
              protected boolean removeEldestEntry(java.util.Map.Entry<String, Pattern> e) {
                return size() > 4096;
              }
            });

    static Pattern get(String text) {
      Pattern p = PATTERNS.get(text);
      if (p == null) {
        p = compile(text);
        PATTERNS.put(text, p);
      }
      return p;
    }
  }

  /**
   * Translates the pattern into a regular expression.
   *
   * @throws IllegalArgumentException {@code syntax error in pattern} for an unterminated or empty
   *     character class, as Go's filepath.ErrBadPattern
   */
  static Pattern compile(String glob) {
    StringBuilder re = new StringBuilder("^");
    int i = 0;
    int n = glob.length();
    while (i < n) {
      char c = glob.charAt(i++);
      if (c == '*') {
        if (i < n && glob.charAt(i) == '*') {
          i++;
          if (i < n && glob.charAt(i) == '/') {
            i++;
          }
          re.append(i >= n ? ".*" : "(.*/)?");
        } else {
          re.append("[^/]*");
        }
      } else if (c == '?') {
        re.append("[^/]");
      } else if (c == '[') {
        i = characterClass(glob, i, re);
      } else if (c == '\\') {
        if (i >= n) {
          throw bad(glob);
        }
        re.append(Pattern.quote(String.valueOf(glob.charAt(i++))));
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.append('$').toString(), Pattern.DOTALL);
  }

  /** Appends a Go-style class starting after {@code [}; returns the index after {@code ]}. */
  private static int characterClass(String glob, int start, StringBuilder re) {
    int i = start;
    int n = glob.length();
    StringBuilder cls = new StringBuilder("[");
    if (i < n && glob.charAt(i) == '^') {
      cls.append('^');
      i++;
    }
    List<String> items = new ArrayList<>();
    boolean closed = false;
    while (i < n) {
      char c = glob.charAt(i);
      if (c == ']' && !items.isEmpty()) {
        closed = true;
        i++;
        break;
      }
      String lo = literal(glob, i);
      i += lo.length() == 2 && lo.charAt(0) == '\\' ? 2 : 1;
      char loChar = lo.charAt(lo.length() - 1);
      if (i + 1 < n && glob.charAt(i) == '-' && glob.charAt(i + 1) != ']') {
        String hi = literal(glob, i + 1);
        i += 1 + (hi.length() == 2 && hi.charAt(0) == '\\' ? 2 : 1);
        char hiChar = hi.charAt(hi.length() - 1);
        if (hiChar < loChar) {
          throw bad(glob);
        }
        items.add(escapeInClass(loChar) + "-" + escapeInClass(hiChar));
      } else {
        items.add(escapeInClass(loChar));
      }
    }
    if (!closed) {
      throw bad(glob);
    }
    for (String item : items) {
      cls.append(item);
    }
    // A class never matches the separator, as in Go's filepath.Match.
    re.append("(?:(?!/)").append(cls).append("])");
    return i;
  }

  private static String literal(String glob, int i) {
    if (glob.charAt(i) == '\\') {
      if (i + 1 >= glob.length()) {
        throw bad(glob);
      }
      return glob.substring(i, i + 2);
    }
    return glob.substring(i, i + 1);
  }

  private static String escapeInClass(char c) {
    return Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c;
  }

  private static IllegalArgumentException bad(String glob) {
    return new IllegalArgumentException("syntax error in pattern: \"" + glob + "\"");
  }
}
