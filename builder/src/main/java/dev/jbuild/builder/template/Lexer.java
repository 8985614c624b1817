package dev.jbuild.builder.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into tokens as Go's {@code text/template/parse} lexer does: text between
 * actions, the {@code {{ }}} delimiters (with {@code {{- }} and {@code -}}} trimming the
 * whitespace next to them), comments, and the words inside actions. A field chain such as {@code
 * .A.B} is one token per field; {@link Token#spaceBefore()} tells a chain from two arguments.
 */
final class Lexer {
  /** Token kinds. */
  enum Kind {
    TEXT, LEFT, RIGHT, FIELD, DOT, VARIABLE, IDENT, STRING, NUMBER, BOOL, NIL, PIPE, LPAREN,
    RPAREN, DECLARE, ASSIGN, COMMA
  }

  /** One token; {@code pos} is its offset in the template. */
  record Token(Kind kind, String text, int pos, boolean spaceBefore) {}

  private final String src;
  private final List<Token> tokens = new ArrayList<>();
  private int i;

  private Lexer(String src) {
    this.src = src;
  }

  /** The tokens of {@code src}. */
  static List<Token> lex(String src) throws TemplateException {
    Lexer l = new Lexer(src);
    l.run();
    return l.tokens;
  }

  private void run() throws TemplateException {
    boolean trimNext = false;
    while (i < src.length()) {
      int open = src.indexOf("{{", i);
      int end = open < 0 ? src.length() : open;
      String text = src.substring(i, end);
      if (trimNext) {
        text = text.stripLeading();
      }
      boolean trimBefore = open >= 0 && src.startsWith("{{- ", open)
          || open >= 0 && src.length() > open + 3 && src.charAt(open + 2) == '-'
              && isSpace(src.charAt(open + 3));
      if (trimBefore) {
        text = text.stripTrailing();
      }
      if (!text.isEmpty()) {
        tokens.add(new Token(Kind.TEXT, text, i, false));
      }
      if (open < 0) {
        return;
      }
      i = open + (trimBefore ? 4 : 2);
      trimNext = action(open);
    }
  }

  /** Lexes one action starting after its left delimiter; returns whether it trims after. */
  private boolean action(int open) throws TemplateException {
    int save = i;
    while (i < src.length() && isSpace(src.charAt(i))) {
      i++;
    }
    if (src.startsWith("/*", i)) {
      int close = src.indexOf("*/", i + 2);
      if (close < 0) {
        throw Parser.error(src, open, "unclosed comment");
      }
      i = close + 2;
      boolean trim = false;
      if (src.startsWith(" -}}", i)) {
        trim = true;
        i += 4;
      } else if (src.startsWith("}}", i)) {
        i += 2;
      } else {
        throw Parser.error(src, open, "comment ends before closing delimiter");
      }
      return trim;
    }
    i = save;
    tokens.add(new Token(Kind.LEFT, "{{", open, false));
    boolean space = true;
    while (true) {
      if (i >= src.length()) {
        throw Parser.error(src, open, "unclosed action");
      }
      char c = src.charAt(i);
      if (isSpace(c)) {
        if (src.startsWith("-}}", i + 1)) {
          tokens.add(new Token(Kind.RIGHT, "}}", i, true));
          i += 4;
          return true;
        }
        i++;
        space = true;
        continue;
      }
      if (src.startsWith("}}", i)) {
        tokens.add(new Token(Kind.RIGHT, "}}", i, space));
        i += 2;
        return false;
      }
      int start = i;
      Kind kind;
      if (c == '|') {
        kind = Kind.PIPE;
        i++;
      } else if (c == '(') {
        kind = Kind.LPAREN;
        i++;
      } else if (c == ')') {
        kind = Kind.RPAREN;
        i++;
      } else if (c == ',') {
        kind = Kind.COMMA;
        i++;
      } else if (src.startsWith(":=", i)) {
        kind = Kind.DECLARE;
        i += 2;
      } else if (c == '=') {
        kind = Kind.ASSIGN;
        i++;
      } else if (c == '"') {
        tokens.add(new Token(Kind.STRING, quoted(open), start, space));
        space = false;
        continue;
      } else if (c == '`') {
        int close = src.indexOf('`', i + 1);
        if (close < 0) {
          throw Parser.error(src, open, "unterminated raw quoted string");
        }
        tokens.add(new Token(Kind.STRING, src.substring(i + 1, close), start, space));
        i = close + 1;
        space = false;
        continue;
      } else if (c == '.' && (i + 1 >= src.length() || !isWordStart(src.charAt(i + 1)))) {
        if (i + 1 < src.length() && Character.isDigit(src.charAt(i + 1))) {
          kind = number();
        } else {
          kind = Kind.DOT;
          i++;
        }
      } else if (c == '.') {
        i++;
        word();
        kind = Kind.FIELD;
      } else if (c == '$') {
        i++;
        word();
        kind = Kind.VARIABLE;
      } else if (Character.isDigit(c) || (c == '-' || c == '+')
          && i + 1 < src.length() && Character.isDigit(src.charAt(i + 1))) {
        kind = number();
      } else if (isWordStart(c)) {
        word();
        String w = src.substring(start, i);
        kind = w.equals("true") || w.equals("false") ? Kind.BOOL
            : w.equals("nil") ? Kind.NIL : Kind.IDENT;
      } else {
        throw Parser.error(src, start, "unexpected \"" + c + "\" in command");
      }
      tokens.add(new Token(kind, src.substring(start, i), start, space));
      space = false;
    }
  }

  private Kind number() {
    int start = i;
    if (src.charAt(i) == '-' || src.charAt(i) == '+') {
      i++;
    }
    while (i < src.length() && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '.'
        || src.charAt(i) == '_' || (src.charAt(i) == '-' || src.charAt(i) == '+')
            && (src.charAt(i - 1) == 'e' || src.charAt(i - 1) == 'E') && i - 1 > start)) {
      i++;
    }
    return Kind.NUMBER;
  }

  private void word() {
    while (i < src.length() && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_')) {
      i++;
    }
  }

  private String quoted(int open) throws TemplateException {
    StringBuilder sb = new StringBuilder();
    i++;
    while (true) {
      if (i >= src.length() || src.charAt(i) == '\n') {
        throw Parser.error(src, open, "unterminated quoted string");
      }
      char c = src.charAt(i++);
      if (c == '"') {
        return sb.toString();
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (i >= src.length()) {
        throw Parser.error(src, open, "unterminated quoted string");
      }
      char e = src.charAt(i++);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case '\\', '"', '\'' -> sb.append(e);
        case 'x', 'u' -> {
          int n = e == 'x' ? 2 : 4;
          try {
            sb.append((char) Integer.parseInt(src.substring(i, Math.min(i + n, src.length())), 16));
          } catch (NumberFormatException bad) {
            throw Parser.error(src, open, "invalid syntax: bad \\" + e + " escape");
          }
          i += n;
        }
        default -> throw Parser.error(src, open, "invalid syntax: unknown escape \\" + e);
      }
    }
  }

  private static boolean isWordStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }
}
