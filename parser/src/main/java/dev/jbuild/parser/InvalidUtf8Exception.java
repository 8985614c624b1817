package dev.jbuild.parser;

import java.io.IOException;

/**
 * Thrown by {@link Utf8Text#decode} when bytes are not valid UTF-8. {@link #getMessage()} is
 * {@code LINE:COLUMN: invalid UTF-8: byte 0xNN}, positions 1-based as in {@link
 * dev.jbuild.parser.ast.SourceRange} (columns count UTF-16 code units of the text decoded before
 * the bad byte on its line).
 */
public final class InvalidUtf8Exception extends IOException {

  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;
  private final int badByte;

  InvalidUtf8Exception(int line, int column, int badByte) {
    super(line + ":" + column + ": " + detail(badByte));
    this.line = line;
    this.column = column;
    this.badByte = badByte;
  }

  /** The 1-based line of the first invalid byte. */
  public int line() {
    return line;
  }

  /** The 1-based column of the first invalid byte. */
  public int column() {
    return column;
  }

  /** The first invalid byte, 0 to 255. */
  public int badByte() {
    return badByte;
  }

  /** The message without position: {@code invalid UTF-8: byte 0xNN}. */
  public String detail() {
    return detail(badByte);
  }

  private static String detail(int badByte) {
    return String.format("invalid UTF-8: byte 0x%02x", badByte);
  }
}
