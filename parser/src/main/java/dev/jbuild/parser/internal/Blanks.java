package dev.jbuild.parser.internal;

/** Blank handling with Go's {@code unicode.IsSpace} set, which BuildKit uses for trimming. */
final class Blanks {

  private Blanks() {}

  static boolean isBlank(char c) {
    switch (c) {
      case ' ':
      case '\t':
      case '\n':
      case '\u000B':
      case '\f':
      case '\r':
      case '\u0085':
      case '\u00A0':
        return true;
      default:
        return Character.isSpaceChar(c);
    }
  }

  /** Returns the index of the first non-blank character at or after {@code from}. */
  static int skip(String s, int from) {
    int i = from;
    while (i < s.length() && isBlank(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Returns whether the string is empty or only blanks. */
  static boolean isAllBlank(String s) {
    return skip(s, 0) == s.length();
  }

  static String trimLeft(String s) {
    return s.substring(skip(s, 0));
  }

  static String trim(String s) {
    int start = skip(s, 0);
    int end = s.length();
    while (end > start && isBlank(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }
}
