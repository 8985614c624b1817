package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.SourceRange;
import java.util.ArrayList;
import java.util.List;

/**
 * One instruction's text with continuation lines joined, plus the map from offsets in that text
 * back to source lines and columns.
 */
final class LogicalLine {

  /** A piece of the text: characters from {@code offset} on come from {@code line}, {@code column}. */
  private record Segment(int offset, int line, int column) {}

  private final StringBuilder text = new StringBuilder();
  private final List<Segment> segments = new ArrayList<>();
  private int lastLine;
  private int lastColumn;
  private final List<String> comments;

  /** Creates an empty line; {@code comments} are the comment lines directly above it. */
  LogicalLine(List<String> comments) {
    this.comments = comments;
  }

  /** Returns the text of the comment lines directly above the instruction, in order. */
  List<String> comments() {
    return comments;
  }

  /** Appends a piece of source line {@code line} that starts at 1-based {@code column}. */
  void append(String piece, int line, int column) {
    segments.add(new Segment(text.length(), line, column));
    text.append(piece);
    int end = piece.length();
    while (end > 0 && Blanks.isBlank(piece.charAt(end - 1))) {
      end--;
    }
    if (end > 0 || lastLine == 0) {
      lastLine = line;
      lastColumn = Math.max(1, column + end - 1);
    }
  }

  /** Records that the instruction extends to the end of {@code line} (heredoc bodies). */
  void extendTo(int line, int column) {
    lastLine = line;
    lastColumn = Math.max(1, column);
  }

  String text() {
    return text.toString();
  }

  int firstLine() {
    return segments.get(0).line();
  }

  /** Returns the source range of the characters {@code [start, end)} of the text. */
  SourceRange range(int start, int end) {
    int[] from = position(start);
    int[] to = position(Math.max(start, end - 1));
    return new SourceRange(from[0], from[1], to[0], Math.max(1, to[1]));
  }

  /** Returns the range from the character at {@code start} to the end of the instruction. */
  SourceRange rangeToEnd(int start) {
    int[] from = position(start);
    return new SourceRange(from[0], from[1], Math.max(from[0], lastLine), Math.max(1, lastColumn));
  }

  /** Returns {line, column} of the character at {@code offset} (clamped to the text). */
  int[] position(int offset) {
    Segment found = segments.get(0);
    for (Segment s : segments) {
      if (s.offset() <= offset) {
        found = s;
      } else {
        break;
      }
    }
    return new int[] {found.line(), found.column() + (offset - found.offset())};
  }
}
