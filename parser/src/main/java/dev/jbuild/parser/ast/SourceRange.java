package dev.jbuild.parser.ast;

/**
 * A range of source text in a Dockerfile. Lines and columns are 1-based; columns count UTF-16 code
 * units of the original line (after a leading byte-order mark is removed). The end is inclusive: it
 * names the last character of the range.
 *
 * @param startLine first line of the range
 * @param startColumn column of the first character
 * @param endLine last line of the range
 * @param endColumn column of the last character
 */
public record SourceRange(int startLine, int startColumn, int endLine, int endColumn) {

  /** Validates that the range is 1-based and does not end before it starts. */
  public SourceRange {
    if (startLine < 1 || startColumn < 1 || endLine < startLine || endColumn < 1) {
      throw new IllegalArgumentException(
          "invalid source range " + startLine + ":" + startColumn + "-" + endLine + ":" + endColumn);
    }
  }

  /**
   * Returns a range covering a single position.
   *
   * @param line 1-based line
   * @param column 1-based column
   * @return the range {@code line:column-line:column}
   */
  public static SourceRange at(int line, int column) {
    return new SourceRange(line, column, line, column);
  }

  /** Returns {@code startLine:startColumn-endLine:endColumn}. */
  @Override
  public String toString() {
    return startLine + ":" + startColumn + "-" + endLine + ":" + endColumn;
  }
}
