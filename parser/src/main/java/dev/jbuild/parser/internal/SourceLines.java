package dev.jbuild.parser.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The physical lines of a Dockerfile: a leading byte-order mark removed, split on {@code \n} with a
 * trailing {@code \r} dropped (as Go's bufio.ScanLines does), no line for the empty text after a
 * final newline.
 */
final class SourceLines {

  /** BuildKit's bufio.Scanner buffer limit (parser/parser.go). */
  static final int MAX_LINE_LENGTH = 65535;

  private SourceLines() {}

  /**
   * Splits the text into lines.
   *
   * @param text the whole Dockerfile
   * @return the lines without terminators; index 0 is line 1
   */
  static List<String> split(String text) {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start < body.length()) {
      int newline = body.indexOf('\n', start);
      int end = newline < 0 ? body.length() : newline;
      int contentEnd = end > start && body.charAt(end - 1) == '\r' ? end - 1 : end;
      lines.add(body.substring(start, contentEnd));
      start = end + 1;
    }
    return lines;
  }
}
