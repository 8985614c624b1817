package dev.jbuild.parser.internal;

import dev.jbuild.parser.grammar.DockerfileLexer;
import dev.jbuild.parser.grammar.DockerfileParser;
import dev.jbuild.parser.grammar.DockerfileParserBaseVisitor;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.Interval;

/**
 * Runs the ANTLR instruction-line grammar and turns its parse tree into a {@link LineSyntax}. The
 * grammar accepts every line that has a first word, so errors only arise for blank text, which the
 * line pre-pass never produces.
 */
final class LineSyntaxBuilder extends DockerfileParserBaseVisitor<LineSyntax> {

  private final String text;

  private LineSyntaxBuilder(String text) {
    this.text = text;
  }

  /**
   * Parses one logical line.
   *
   * @param text the line, without line terminators
   * @param escape the escape token in effect
   * @return the structure of the line
   * @throws SyntaxError if the text has no instruction word
   */
  static LineSyntax parse(String text, char escape) {
    DockerfileLexer lexer = new DockerfileLexer(CharStreams.fromString(text));
    lexer.setEscapeToken(escape);
    lexer.removeErrorListeners();
    lexer.addErrorListener(ThrowingErrorListener.INSTANCE);
    DockerfileParser parser = new DockerfileParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners();
    parser.addErrorListener(ThrowingErrorListener.INSTANCE);
    // The grammar is LL(2); SLL is exact for it and never needs the full-context fallback.
    parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
    return new LineSyntaxBuilder(text).visit(parser.instructionLine());
  }

  /**
   * Splits text into raw words the way the lexer does (BuildKit's parseWords), keeping quotes and
   * escapes; used for heredoc detection and quote-aware argument lists.
   */
  static List<LineSyntax.Token> words(String text, char escape) {
    DockerfileLexer lexer = new DockerfileLexer(CharStreams.fromString(text));
    lexer.setEscapeToken(escape);
    lexer.removeErrorListeners();
    lexer.addErrorListener(ThrowingErrorListener.INSTANCE);
    List<LineSyntax.Token> words = new ArrayList<>();
    for (org.antlr.v4.runtime.Token t : lexer.getAllTokens()) {
      if (t.getType() != DockerfileLexer.WS) {
        words.add(new LineSyntax.Token(t.getText(), t.getStartIndex(), t.getStopIndex() + 1));
      }
    }
    return words;
  }

  @Override
  public LineSyntax visitInstructionLine(DockerfileParser.InstructionLineContext ctx) {
    LineSyntax.Token keyword = token(ctx.keyword());
    List<LineSyntax.Token> flags = new ArrayList<>();
    for (DockerfileParser.FlagContext flag : ctx.flag()) {
      flags.add(
          new LineSyntax.Token(
              flag.FLAG().getText(),
              flag.FLAG().getSymbol().getStartIndex(),
              flag.FLAG().getSymbol().getStopIndex() + 1));
    }
    List<LineSyntax.Token> arguments = new ArrayList<>();
    String rest = "";
    int restStart = text.length();
    if (ctx.arguments() != null) {
      for (DockerfileParser.ArgumentContext argument : ctx.arguments().argument()) {
        arguments.add(token(argument));
      }
      restStart = arguments.get(0).start();
      rest = text.substring(restStart, arguments.get(arguments.size() - 1).end());
    }
    return new LineSyntax(keyword, flags, arguments, rest, restStart);
  }

  private LineSyntax.Token token(ParserRuleContext ctx) {
    int start = ctx.getStart().getStartIndex();
    int end = ctx.getStop().getStopIndex() + 1;
    return new LineSyntax.Token(
        ctx.getStart().getInputStream().getText(Interval.of(start, end - 1)), start, end);
  }
}
