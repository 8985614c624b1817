package dev.jbuild.parser.internal;

/**
 * Unchecked carrier for a syntax error reported by a generated ANTLR recognizer. It never leaves
 * this package's callers: they translate it into a {@code DockerfileSyntaxException} or, for JSON,
 * into the shell-form fallback.
 */
final class SyntaxError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int charPositionInLine;

  SyntaxError(String message, int charPositionInLine) {
    super(message, null, false, false);
    this.charPositionInLine = charPositionInLine;
  }

  /** Returns the 0-based offset of the offending character within the recognised text. */
  int charPositionInLine() {
    return charPositionInLine;
  }
}
