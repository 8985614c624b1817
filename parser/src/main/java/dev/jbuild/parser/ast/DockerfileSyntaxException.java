package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * Thrown when a Dockerfile cannot be parsed into instructions. {@link #getMessage()} has the form
 * {@code <fileName>:<line>:<column>: <detail>}, for example {@code Dockerfile:12:5: unknown
 * instruction: COPPY (did you mean COPY?)}; the detail uses BuildKit's wording where BuildKit has
 * one.
 */
public final class DockerfileSyntaxException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String fileName;
  private final SourceRange range;
  private final String detail;
  private final List<Warning> warnings;

  /**
   * Creates the exception.
   *
   * @param fileName the name used as message prefix, e.g. {@code Dockerfile}
   * @param range where in the file the problem is
   * @param detail what is wrong, without position
   */
  public DockerfileSyntaxException(String fileName, SourceRange range, String detail) {
    super(fileName + ":" + range.startLine() + ":" + range.startColumn() + ": " + detail);
    this.fileName = Objects.requireNonNull(fileName, "fileName");
    this.range = range;
    this.detail = Objects.requireNonNull(detail, "detail");
    this.warnings = List.of();
  }

  /**
   * Copies {@code error} (message, position, stack) and adds the warnings of the lines before it,
   * which BuildKit reports before the error (testWarningsBeforeError).
   *
   * @param error the error to copy
   * @param warnings the warnings found before the error, already filtered by {@code # check=}
   */
  public DockerfileSyntaxException(DockerfileSyntaxException error, List<Warning> warnings) {
    super(error.getMessage(), error.getCause());
    setStackTrace(error.getStackTrace());
    this.fileName = error.fileName;
    this.range = error.range;
    this.detail = error.detail;
    this.warnings = List.copyOf(warnings);
  }

  /** Returns the file name given to the parser. */
  public String fileName() {
    return fileName;
  }

  /** Returns where the problem is. */
  public SourceRange range() {
    return range;
  }

  /** Returns the message without the {@code file:line:column: } prefix. */
  public String detail() {
    return detail;
  }

  /**
   * Returns the build-check warnings of the instructions before the error (empty when the error
   * is in the file's line structure, where BuildKit has none either), in line order.
   */
  public List<Warning> warnings() {
    return warnings;
  }
}
