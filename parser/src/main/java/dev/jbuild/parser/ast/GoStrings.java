package dev.jbuild.parser.ast;

import java.util.List;

/**
 * Go's string formats, as BuildKit prints them into messages, history and cache keys, and as
 * {@code jbuild parse --json} writes strings: the one owner of Go-style quoting in jbuild.
 *
 * <p>It lives beside {@link GoDurations} in {@code parser.ast}, a leaf package that the parser,
 * its internals and the builder already depend on, so it adds no edge to the package graph.
 * Stateless and thread-safe.
 */
public final class GoStrings {

  private GoStrings() {}

  /**
   * Go's {@code strconv.Quote} (and so {@code fmt}'s {@code %q} of a string): in double quotes,
   * {@code "} and {@code \} escaped, printable characters (Unicode letters, marks, numbers,
   * punctuation, symbols and the ASCII space, Go's {@code strconv.IsPrint}) as they are, {@code
   * \a \b \f \n \r \t \v} by name, other ASCII controls as {@code \xhh} and every other
   * non-printable character as a backslash-u escape of four hex digits (backslash-U and eight
   * above U+FFFF). A lone surrogate, which Go's strings cannot hold, is written as U+FFFD's
   * escape, what Go writes for an invalid rune.
   *
   * <p>Ported from Go's {@code strconv/quote.go} ({@code appendQuotedWith} and {@code
   * appendEscapedRune}); written anew here.
   */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      appendEscaped(sb, c);
    }
    return sb.append('"').toString();
  }

  /** Go's {@code %q} of a {@code []string}: {@code ["sh" "-c" "make"]}. */
  public static String quoteList(List<String> items) {
    StringBuilder sb = new StringBuilder("[");
    for (int k = 0; k < items.size(); k++) {
      if (k > 0) {
        sb.append(' ');
      }
      sb.append(quote(items.get(k)));
    }
    return sb.append(']').toString();
  }

  /** Go's {@code %v} of a {@code []string}: {@code [a b c]}, nothing quoted. */
  public static String valueList(List<String> items) {
    return "[" + String.join(" ", items) + "]";
  }

  /**
   * A JSON string literal (RFC 8259) as Go's {@code encoding/json} wrote it before Go 1.22 with
   * HTML escaping off: {@code "}, {@code \}, {@code \n}, {@code \r}, {@code \t} by name, other
   * controls and U+2028/U+2029 as backslash-u escapes, everything else as it is.
   */
  public static String json(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static void appendEscaped(StringBuilder sb, int c) {
    if (c == '"' || c == '\\') {
      sb.append('\\').append((char) c);
      return;
    }
    if (isPrint(c)) {
      sb.appendCodePoint(c);
      return;
    }
    switch (c) {
      case 7 -> sb.append("\\a");
      case '\b' -> sb.append("\\b");
      case '\f' -> sb.append("\\f");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      case 11 -> sb.append("\\v");
      default -> {
        if (c < ' ' || c == 0x7f) {
          sb.append(String.format("\\x%02x", c));
        } else if (Character.getType(c) == Character.SURROGATE) {
          sb.append("\\ufffd");
        } else if (c < 0x10000) {
          sb.append(String.format("\\u%04x", c));
        } else {
          sb.append(String.format("\\U%08x", c));
        }
      }
    }
  }

  /** Go's {@code strconv.IsPrint}: categories L, M, N, P, S, and U+0020. */
  private static boolean isPrint(int c) {
    if (c == ' ') {
      return true;
    }
    switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
          Character.UNASSIGNED, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR -> {
        return false;
      }
      default -> {
        return true;
      }
    }
  }
}
