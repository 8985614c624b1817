package dev.jbuild.parser.internal;

import dev.jbuild.parser.grammar.JsonArrayLexer;
import dev.jbuild.parser.grammar.JsonArrayParser;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * The JSON (exec) form test of BuildKit's parseJSON (parser/line_parsers.go): the argument text must
 * start with {@code [} and be exactly one JSON array; only then are the elements checked to be
 * strings.
 */
final class JsonArrays {

  /** BuildKit's errDockerfileNotStringArray. */
  static final String NOT_STRING_ARRAY =
      "when using JSON array syntax, arrays must be comprised of strings only";

  /** Thrown when the text is a JSON array with a non-string element. */
  static final class NotStringArrayException extends Exception {
    private static final long serialVersionUID = 1L;

    NotStringArrayException() {
      super(NOT_STRING_ARRAY, null, false, false);
    }
  }

  private JsonArrays() {}

  /**
   * Decodes the text as a JSON array of strings.
   *
   * @param rest the argument text, already trimmed
   * @return the decoded strings, or {@code null} if the text is not a JSON array (the caller falls
   *     back to the shell or whitespace form)
   * @throws NotStringArrayException if the text is a JSON array with a non-string element
   */
  static List<String> parse(String rest) throws NotStringArrayException {
    if (!rest.startsWith("[")) {
      return null;
    }
    JsonArrayParser.JsonArrayContext tree;
    try {
      JsonArrayLexer lexer = new JsonArrayLexer(CharStreams.fromString(rest));
      lexer.removeErrorListeners();
      lexer.addErrorListener(ThrowingErrorListener.INSTANCE);
      JsonArrayParser parser = new JsonArrayParser(new CommonTokenStream(lexer));
      parser.removeErrorListeners();
      parser.addErrorListener(ThrowingErrorListener.INSTANCE);
      tree = parser.jsonArray();
    } catch (SyntaxError invalidJson) {
      return null;
    }
    List<String> values = new ArrayList<>();
    for (JsonArrayParser.ValueContext value : tree.array().value()) {
      if (!(value instanceof JsonArrayParser.StringValueContext)) {
        throw new NotStringArrayException();
      }
      TerminalNode string = ((JsonArrayParser.StringValueContext) value).STRING();
      values.add(decodeString(string.getText()));
    }
    return values;
  }

  /** Decodes a JSON string literal (with its quotes), already validated by the lexer. */
  static String decodeString(String literal) {
    StringBuilder out = new StringBuilder(literal.length());
    for (int i = 1; i < literal.length() - 1; i++) {
      char c = literal.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = literal.charAt(++i);
      switch (e) {
        case 'b':
          out.append('\b');
          break;
        case 'f':
          out.append('\f');
          break;
        case 'n':
          out.append('\n');
          break;
        case 'r':
          out.append('\r');
          break;
        case 't':
          out.append('\t');
          break;
        case 'u':
          out.append((char) Integer.parseInt(literal.substring(i + 1, i + 5), 16));
          i += 4;
          break;
        default: // " \ /
          out.append(e);
      }
    }
    return out.toString();
  }
}
