package dev.jbuild.parser.internal;

import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;

/**
 * Error listener that turns the first lexer or parser error into a {@link SyntaxError}. Installed
 * instead of ANTLR's console listener so that nothing is ever printed and no recovery happens.
 */
final class ThrowingErrorListener extends BaseErrorListener {

  static final ThrowingErrorListener INSTANCE = new ThrowingErrorListener();

  private ThrowingErrorListener() {}

  @Override
  public void syntaxError(
      Recognizer<?, ?> recognizer,
      Object offendingSymbol,
      int line,
      int charPositionInLine,
      String message,
      RecognitionException e) {
    throw new SyntaxError(message, charPositionInLine);
  }
}
