package dev.jbuild.parser.internal;

import java.util.List;

/**
 * The instruction-independent structure of one logical line, as recognised by the ANTLR grammar
 * {@code DockerfileParser.instructionLine}. Offsets are into the text that was parsed.
 *
 * @param keyword the instruction word as written
 * @param flags the raw {@code --flag} words before the arguments
 * @param arguments the argument words (raw, quotes kept), empty if none
 * @param rest the raw argument text from the first to the last argument word, {@code ""} if none
 * @param restStart offset of {@link #rest} in the parsed text
 */
record LineSyntax(
    Token keyword, List<Token> flags, List<Token> arguments, String rest, int restStart) {

  /**
   * A word of the line.
   *
   * @param text raw text
   * @param start offset of the first character
   * @param end offset after the last character
   */
  record Token(String text, int start, int end) {}
}
