package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.SourceRange;
import dev.jbuild.parser.ast.Warning;
import java.util.ArrayList;
import java.util.List;

/**
 * The hand-written line pre-pass: turns physical lines into logical instruction lines, following
 * BuildKit's parser/parser.go {@code Parse} loop.
 *
 * <ul>
 *   <li>Lines whose first non-blank character is {@code #} are comments (this includes the parser
 *       directives); they are dropped, also in the middle of a continued instruction.
 *   <li>The first line of an instruction is left-trimmed; continuation lines keep their leading
 *       blanks and are appended without a separator.
 *   <li>A line continues when its last non-blank character (spaces and tabs only) is the escape
 *       token and the character before it is not also the escape token; a lone escape token counts.
 *       The token and the blanks after it are removed.
 *   <li>Blank lines inside a continuation are skipped with BuildKit's "Empty continuation line"
 *       warning (BuildKit's NoEmptyContinuation rule); continuation at end of file just ends the
 *       instruction.
 * </ul>
 *
 * Heredoc bodies are read on demand by {@link #readHeredoc}, because only the instruction parser
 * knows whether a line can contain heredocs.
 */
final class LineJoiner {

  private final List<String> lines;
  private final char escape;
  private final List<Warning> warnings = new ArrayList<>();
  private int next;
  // Comment lines seen since the last instruction or blank line: the comments directly above.
  private final List<String> comments = new ArrayList<>();

  LineJoiner(List<String> lines, char escape) {
    this(lines, escape, 0);
  }

  /**
   * @param directiveLines how many lines at the top are parser directives: like BuildKit's
   *     parser, they are not comments of the first instruction (a {@code # check=} directive is not
   *     that instruction's own {@code # check=} comment)
   */
  LineJoiner(List<String> lines, char escape, int directiveLines) {
    this.lines = lines;
    this.escape = escape;
    this.next = directiveLines;
  }

  List<Warning> warnings() {
    return warnings;
  }

  /** Returns the next logical line, or {@code null} at end of input. */
  LogicalLine next() {
    while (next < lines.size()) {
      String raw = lines.get(next++);
      int lineNumber = next;
      int indent = Blanks.skip(raw, 0);
      String first = raw.substring(indent);
      if (first.startsWith("#")) {
        comments.add(Blanks.trim(first.substring(1)));
        continue;
      }
      int cut = continuationCut(first);
      boolean ends = cut < 0;
      String piece = ends ? first : first.substring(0, cut);
      if (ends && piece.isEmpty()) {
        comments.clear();
        continue; // blank line between instructions
      }
      LogicalLine line = new LogicalLine(List.copyOf(comments));
      comments.clear();
      line.append(piece, lineNumber, indent + 1);
      boolean emptyLine = false;
      while (!ends && next < lines.size()) {
        String continued = lines.get(next++);
        int continuedNumber = next;
        if (Blanks.trimLeft(continued).startsWith("#")) {
          continue;
        }
        if (Blanks.isAllBlank(continued)) {
          emptyLine = true;
          continue;
        }
        cut = continuationCut(continued);
        ends = cut < 0;
        line.append(ends ? continued : continued.substring(0, cut), continuedNumber, 1);
      }
      if (emptyLine) {
        // BuildKit's parser places the warning on the instruction's last line read (the line
        // after the empty one in testNoEmptyContinuation) and its linter words it so.
        warnings.add(new Warning(next, "NoEmptyContinuation: Empty continuation line"));
      }
      return line;
    }
    return null;
  }

  /**
   * Reads a heredoc body: the lines after the current position up to a line equal to the
   * delimiter (after removing leading tabs from it when {@code chomp}).
   *
   * @return the body, each line followed by {@code \n}, leading tabs removed when {@code chomp}
   */
  String readHeredoc(
      String delimiter, boolean chomp, LogicalLine owner, String fileName, int startLine)
      throws DockerfileSyntaxException {
    StringBuilder content = new StringBuilder();
    while (next < lines.size()) {
      String raw = lines.get(next++);
      String candidate = chomp ? stripLeadingTabs(raw) : raw;
      if (candidate.equals(delimiter)) {
        owner.extendTo(next, raw.length());
        return content.toString();
      }
      content.append(chomp ? stripLeadingTabs(raw) : raw).append('\n');
    }
    int lastLine = Math.max(startLine, lines.size());
    throw new DockerfileSyntaxException(
        fileName, new SourceRange(startLine, 1, lastLine, 1), "unterminated heredoc");
  }

  private static String stripLeadingTabs(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) == '\t') {
      i++;
    }
    return s.substring(i);
  }

  /**
   * Returns where the continuation marker starts if the line continues, else -1. Mirrors BuildKit's
   * {@code ([^\\])\\[ \t]*$|^\\[ \t]*$} with the escape token in place of the backslash.
   */
  private int continuationCut(String line) {
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
      end--;
    }
    if (end == 0 || line.charAt(end - 1) != escape) {
      return -1;
    }
    if (end >= 2 && line.charAt(end - 2) == escape) {
      return -1; // an escaped escape token at the end is not a continuation
    }
    return end - 1;
  }
}
