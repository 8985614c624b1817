package dev.jbuild.builder.template;

import dev.jbuild.builder.template.Lexer.Kind;
import dev.jbuild.builder.template.Lexer.Token;
import dev.jbuild.builder.template.Node.Arg;
import dev.jbuild.builder.template.Node.Chain;
import dev.jbuild.builder.template.Node.Command;
import dev.jbuild.builder.template.Node.Identifier;
import dev.jbuild.builder.template.Node.Keyword;
import dev.jbuild.builder.template.Node.Literal;
import dev.jbuild.builder.template.Node.Pipeline;
import dev.jbuild.builder.template.Node.Variable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the parse tree from the lexer's tokens, following Go's {@code text/template/parse}:
 * actions, pipelines, commands, operands; {@code if}/{@code range}/{@code with} with {@code else}
 * and {@code else if}; variable declarations. Function names are checked here, as Go does: an
 * unknown function is a parse error.
 */
final class Parser {
  private final String src;
  private final List<Token> tokens;
  private final Set<String> functions;
  private int p;
  private int loops;
  private final List<Set<String>> scopes = new ArrayList<>();

  private Parser(String src, List<Token> tokens, Set<String> functions) {
    this.src = src;
    this.tokens = tokens;
    this.functions = functions;
  }

  /** Parses {@code src}, accepting calls to {@code functions}. */
  static List<Node> parse(String src, Set<String> functions) throws TemplateException {
    Parser parser = new Parser(src, Lexer.lex(src), functions);
    parser.scopes.add(new HashSet<>(Set.of("$")));
    List<Node> nodes = new ArrayList<>();
    String end = parser.list(nodes);
    if (end != null) {
      throw parser.failAt(parser.tokens.get(parser.p - 1).pos(), "unexpected {{" + end + "}}");
    }
    return nodes;
  }

  /** Parses nodes until the end of input or an {@code else}/{@code end}, which it returns. */
  private String list(List<Node> out) throws TemplateException {
    while (p < tokens.size()) {
      Token t = tokens.get(p++);
      if (t.kind() == Kind.TEXT) {
        out.add(new Node.Text(t.text()));
        continue;
      }
      Token first = peek();
      if (first.kind() == Kind.IDENT) {
        switch (first.text()) {
          case "end", "else" -> {
            p++;
            return first.text();
          }
          case "if", "range", "with" -> {
            p++;
            out.add(control(Keyword.valueOf(first.text().toUpperCase(java.util.Locale.ROOT)),
                first));
            continue;
          }
          case "break", "continue" -> {
            p++;
            if (loops == 0) {
              throw failAt(first.pos(), "{{" + first.text() + "}} outside {{range}}");
            }
            expect(Kind.RIGHT, "in " + first.text());
            out.add(new Node.LoopJump(first.text().equals("break")));
            continue;
          }
          case "define", "template", "block" ->
              throw failAt(first.pos(), "{{" + first.text() + "}} is not supported by jbuild");
          default -> { }
        }
      }
      Pipeline pipe = pipeline("command", true);
      out.add(new Node.Action(pipe));
    }
    return null;
  }

  private Node control(Keyword keyword, Token at) throws TemplateException {
    scopes.add(new HashSet<>());
    Pipeline pipe = pipeline(keyword.name().toLowerCase(java.util.Locale.ROOT), true);
    if (keyword == Keyword.RANGE) {
      loops++;
    }
    List<Node> body = new ArrayList<>();
    String end = list(body);
    if (keyword == Keyword.RANGE) {
      loops--;
    }
    List<Node> otherwise = null;
    if (end == null) {
      throw failAt(at.pos(), "unexpected EOF");
    }
    if (end.equals("else")) {
      otherwise = new ArrayList<>();
      Token next = peek();
      if (next.kind() == Kind.IDENT && (next.text().equals("if") || next.text().equals("with"))
          && keyword != Keyword.RANGE) {
        // "{{else if x}}" is "{{else}}{{if x}}...{{end}}" sharing the outer {{end}}.
        p++;
        scopes.remove(scopes.size() - 1);
        otherwise.add(control(Keyword.valueOf(next.text().toUpperCase(java.util.Locale.ROOT)),
            next));
        return new Node.Control(keyword, pipe, body, otherwise);
      }
      expect(Kind.RIGHT, "in else");
      end = list(otherwise);
      if (!"end".equals(end)) {
        throw failAt(at.pos(), "expected end; found " + (end == null ? "EOF" : end));
      }
    }
    expect(Kind.RIGHT, "in end");
    scopes.remove(scopes.size() - 1);
    return new Node.Control(keyword, pipe, body, otherwise);
  }

  /** A pipeline up to the closing delimiter (top) or the closing parenthesis. */
  private Pipeline pipeline(String context, boolean top) throws TemplateException {
    int pos = peek().pos();
    List<String> vars = new ArrayList<>();
    boolean declare = false;
    int save = p;
    if (peek().kind() == Kind.VARIABLE) {
      List<String> names = new ArrayList<>();
      names.add(tokens.get(p++).text());
      if (peek().kind() == Kind.COMMA) {
        p++;
        if (peek().kind() == Kind.VARIABLE) {
          names.add(tokens.get(p++).text());
        }
      }
      if (peek().kind() == Kind.DECLARE || peek().kind() == Kind.ASSIGN) {
        declare = tokens.get(p++).kind() == Kind.DECLARE;
        vars = names;
      } else {
        p = save;
      }
    }
    List<Command> commands = new ArrayList<>();
    while (true) {
      Token t = peek();
      Kind closing = top ? Kind.RIGHT : Kind.RPAREN;
      if (t.kind() == closing) {
        p++;
        break;
      }
      commands.add(command(top));
      if (peek().kind() == Kind.PIPE) {
        p++;
      }
    }
    if (commands.isEmpty()) {
      throw failAt(pos, "missing value for " + context);
    }
    for (String v : vars) {
      if (declare) {
        scopes.get(scopes.size() - 1).add(v);
      } else if (!declared(v)) {
        throw failAt(pos, "undefined variable \"" + v + "\"");
      }
    }
    return new Pipeline(pos, vars, declare, commands);
  }

  private Command command(boolean top) throws TemplateException {
    int pos = peek().pos();
    List<Arg> args = new ArrayList<>();
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.PIPE || t.kind() == (top ? Kind.RIGHT : Kind.RPAREN)) {
        break;
      }
      if (t.kind() == Kind.RIGHT || t.kind() == Kind.RPAREN) {
        throw failAt(t.pos(), "unexpected \"" + t.text() + "\" in operand");
      }
      if (!args.isEmpty() && !t.spaceBefore()) {
        throw failAt(t.pos(), "missing space?");
      }
      args.add(operand());
    }
    if (args.isEmpty()) {
      throw failAt(pos, "missing value for command");
    }
    return new Command(pos, args);
  }

  private Arg operand() throws TemplateException {
    Token t = tokens.get(p++);
    Object receiver;
    List<String> fields = new ArrayList<>();
    switch (t.kind()) {
      case FIELD -> {
        receiver = null;
        fields.add(t.text().substring(1));
      }
      case DOT -> receiver = null;
      case VARIABLE -> {
        if (!declared(t.text())) {
          throw failAt(t.pos(), "undefined variable \"" + t.text() + "\"");
        }
        receiver = new Variable(t.text());
      }
      case LPAREN -> receiver = pipeline("parenthesized pipeline", false);
      case IDENT -> {
        if (!functions.contains(t.text())) {
          throw failAt(t.pos(), "function \"" + t.text() + "\" not defined");
        }
        return new Identifier(t.pos(), t.text());
      }
      case STRING -> {
        return new Literal(t.pos(), t.text(), "\"" + t.text() + "\"");
      }
      case BOOL -> {
        return new Literal(t.pos(), Boolean.valueOf(t.text()), t.text());
      }
      case NIL -> {
        return new Literal(t.pos(), null, "nil");
      }
      case NUMBER -> {
        return new Literal(t.pos(), number(t), t.text());
      }
      default -> throw failAt(t.pos(), "unexpected \"" + t.text() + "\" in operand");
    }
    int last = t.pos();
    while (peek().kind() == Kind.FIELD && !peek().spaceBefore()) {
      Token f = tokens.get(p++);
      fields.add(f.text().substring(1));
      last = f.pos();
    }
    int end = p < tokens.size() ? tokens.get(p).pos() : src.length();
    String text = src.substring(t.pos(), end).strip();
    return new Chain(fields.isEmpty() ? t.pos() : last, receiver, List.copyOf(fields), text);
  }

  private Object number(Token t) throws TemplateException {
    String s = t.text().replace("_", "");
    try {
      if (s.matches("[+-]?0[xX][0-9a-fA-F]+")) {
        return Long.parseLong(s.replaceFirst("0[xX]", ""), 16);
      }
      if (s.matches("[+-]?\\d+")) {
        return Long.parseLong(s);
      }
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw failAt(t.pos(), "illegal number syntax: \"" + t.text() + "\"");
    }
  }

  private boolean declared(String name) {
    for (Set<String> s : scopes) {
      if (s.contains(name)) {
        return true;
      }
    }
    return false;
  }

  private Token peek() throws TemplateException {
    if (p >= tokens.size()) {
      throw failAt(src.length(), "unexpected EOF");
    }
    return tokens.get(p);
  }

  private void expect(Kind kind, String context) throws TemplateException {
    Token t = peek();
    if (t.kind() != kind) {
      throw failAt(t.pos(), "unexpected \"" + t.text() + "\" " + context);
    }
    p++;
  }

  private TemplateException failAt(int pos, String message) {
    return error(src, pos, message);
  }

  /** A parse error at {@code pos}; Go's parse errors name the line only. */
  static TemplateException error(String src, int pos, String message) {
    return new TemplateException("template: :" + line(src, pos) + ": " + message, true);
  }

  /** Go's "line" or "line:col" for error messages: 1-based line, 0-based column. */
  static String lineCol(String src, int pos) {
    int line = line(src, pos);
    int col = pos - (src.lastIndexOf('\n', Math.max(0, pos - 1)) + 1);
    return line + ":" + col;
  }

  private static int line(String src, int pos) {
    int line = 1;
    for (int k = 0; k < Math.min(pos, src.length()); k++) {
      if (src.charAt(k) == '\n') {
        line++;
      }
    }
    return line;
  }
}
