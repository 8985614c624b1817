package dev.jbuild.parser.expand;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One expansion run over a word: a recursive-descent scanner mirroring BuildKit's shell/lex.go
 * ({@code processStopOn}, {@code processSingleQuote}, {@code processDoubleQuote}, {@code
 * processDollar}). Not thread-safe; create one per word.
 */
final class ShellWord {

  private static final int EOF = -1;

  /** An expansion error; {@link VariableExpander} wraps it with the word. */
  static final class ShellError extends Exception {
    private static final long serialVersionUID = 1L;

    ShellError(String message) {
      super(message, null, false, false);
    }
  }

  private final String input;
  private final char escape;
  private final Map<String, String> env;
  private final boolean skipQuotes;
  private int pos;

  ShellWord(String input, char escape, Map<String, String> env) {
    this(input, escape, env, false);
  }

  /**
   * @param skipQuotes BuildKit's {@code Lex.SkipProcessQuotes}: quotes are ordinary characters,
   *     kept in the result and not stopping expansion (used for heredoc bodies)
   */
  ShellWord(String input, char escape, Map<String, String> env, boolean skipQuotes) {
    this.input = input;
    this.escape = escape;
    this.env = env;
    this.skipQuotes = skipQuotes;
  }

  String processWord() throws ShellError {
    return processStopOn(EOF, false, new ShellWords());
  }

  List<String> processWords() throws ShellError {
    ShellWords words = new ShellWords();
    processStopOn(EOF, false, words);
    return List.copyOf(words.finish());
  }

  private int peek() {
    return pos < input.length() ? input.charAt(pos) : EOF;
  }

  private int next() {
    return pos < input.length() ? input.charAt(pos++) : EOF;
  }

  /**
   * Processes up to {@code stop} (consumed) or end of input. With {@code rawEscapes} escape tokens
   * are kept in the result, as needed for patterns where they escape {@code *} and {@code ?}.
   */
  private String processStopOn(int stop, boolean rawEscapes, ShellWords words) throws ShellError {
    StringBuilder result = new StringBuilder();
    while (peek() != EOF) {
      int ch = peek();
      if (stop != EOF && ch == stop) {
        next();
        return result.toString();
      }
      if (ch == '\'' && !skipQuotes) {
        String quoted = processSingleQuote();
        result.append(quoted);
        words.addRawString(quoted);
      } else if (ch == '"' && !skipQuotes) {
        String quoted = processDoubleQuote();
        result.append(quoted);
        words.addRawString(quoted);
      } else if (ch == '$') {
        String value = processDollar();
        result.append(value);
        words.addString(value);
      } else {
        ch = next();
        if (ch == escape) {
          if (rawEscapes) {
            words.addRawChar(ch);
            result.append((char) ch);
          }
          ch = next();
          if (ch == EOF) {
            break; // a trailing escape token is dropped
          }
          words.addRawChar(ch);
        } else {
          words.addChar(ch);
        }
        result.append((char) ch);
      }
    }
    if (stop != EOF) {
      throw new ShellError(
          "unexpected end of statement while looking for matching " + (char) stop);
    }
    return result.toString();
  }

  private String processSingleQuote() throws ShellError {
    next(); // opening quote
    StringBuilder result = new StringBuilder();
    while (true) {
      int ch = next();
      if (ch == EOF) {
        throw new ShellError("unexpected end of statement while looking for matching single-quote");
      }
      if (ch == '\'') {
        return result.toString();
      }
      result.append((char) ch);
    }
  }

  private String processDoubleQuote() throws ShellError {
    next(); // opening quote
    StringBuilder result = new StringBuilder();
    while (true) {
      int ch = peek();
      if (ch == EOF) {
        throw new ShellError("unexpected end of statement while looking for matching double-quote");
      }
      if (ch == '"') {
        next();
        return result.toString();
      }
      if (ch == '$') {
        result.append(processDollar());
        continue;
      }
      ch = next();
      if (ch == escape) {
        int following = peek();
        if (following == EOF) {
          continue; // ignore an escape token at the end of the word
        }
        if (following == '"' || following == '$' || following == escape) {
          ch = next();
        }
      }
      result.append((char) ch);
    }
  }

  private String processDollar() throws ShellError {
    next(); // $
    if (peek() != '{') {
      String name = processName();
      if (name.isEmpty()) {
        return "$";
      }
      String value = lookup(name);
      return value == null ? "" : value;
    }
    next(); // {
    int first = peek();
    if (first == EOF) {
      throw new ShellError("syntax error: missing '}'");
    }
    if (first == '{' || first == '}' || first == ':') {
      throw new ShellError("bad substitution");
    }
    String name = processName();
    int ch = next();
    if (ch == EOF) {
      throw new ShellError("syntax error: missing '}'");
    }
    if (ch == '}') {
      String value = lookup(name);
      return value == null ? "" : value;
    }
    if (ch == '/') {
      return processReplace(name);
    }
    String modifier = String.valueOf((char) ch);
    boolean nullIsUnset = false;
    if (ch == ':') {
      nullIsUnset = true;
      ch = next();
      if (ch == EOF) {
        throw new ShellError("syntax error: missing '}'");
      }
      modifier += (char) ch;
    }
    if (ch != '+' && ch != '-' && ch != '?' && ch != '#' && ch != '%') {
      throw new ShellError("unsupported modifier (" + modifier + ") in substitution");
    }
    boolean pattern = ch == '#' || ch == '%';
    if (nullIsUnset && pattern) {
      throw new ShellError("unsupported modifier (" + modifier + ") in substitution");
    }
    String word = processStopOnBrace(pattern);
    String value = lookup(name);
    boolean set = value != null;
    boolean empty = !set || value.isEmpty();
    switch (ch) {
      case '-':
        return !set || (nullIsUnset && empty) ? word : value;
      case '+':
        return !set || (nullIsUnset && empty) ? "" : word;
      case '?':
        if (!set) {
          throw new ShellError(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
        }
        if (nullIsUnset && value.isEmpty()) {
          throw new ShellError(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
        }
        return value;
      default: // # or %: shortest match, doubled for the longest
        String subject = set ? value : "";
        boolean longest = word.length() > 0 && word.charAt(0) == ch;
        String glob = longest ? word.substring(1) : word;
        return ch == '#'
            ? ShellPatterns.trimPrefix(subject, ShellPatterns.globToRegex(glob, escape), longest)
            : ShellPatterns.trimSuffix(subject, ShellPatterns.globToRegex(glob, escape), longest);
    }
  }

  private String processStopOnBrace(boolean rawEscapes) throws ShellError {
    try {
      return processStopOn('}', rawEscapes, new ShellWords());
    } catch (ShellError e) {
      if (peek() == EOF) {
        throw new ShellError("syntax error: missing '}'");
      }
      throw e;
    }
  }

  /** {@code ${name/pattern/replacement}} and {@code ${name//pattern/replacement}}. */
  private String processReplace(String name) throws ShellError {
    boolean all = peek() == '/';
    if (all) {
      next();
    }
    String patternText;
    try {
      patternText = processStopOn('/', true, new ShellWords());
    } catch (ShellError e) {
      if (peek() == EOF) {
        throw new ShellError("syntax error: missing '/' in ${}");
      }
      throw e;
    }
    String replacement = processStopOnBrace(true);
    replacement = ShellPatterns.unescape(replacement, escape);
    String value = lookup(name);
    if (value == null) {
      value = "";
    }
    Matcher m = Pattern.compile(ShellPatterns.globToRegex(patternText, escape), Pattern.DOTALL)
        .matcher(value);
    String literal = Matcher.quoteReplacement(replacement);
    return all ? m.replaceAll(literal) : m.replaceFirst(literal);
  }

  /**
   * Reads a parameter name: letters, digits and {@code _}; a leading digit run is a positional
   * parameter; a single special character is a special parameter.
   */
  private String processName() {
    StringBuilder name = new StringBuilder();
    while (peek() != EOF) {
      int ch = peek();
      if (name.length() == 0 && Character.isDigit(ch)) {
        while (peek() != EOF && Character.isDigit(peek())) {
          name.append((char) next());
        }
        return name.toString();
      }
      if (name.length() == 0 && isSpecialParameter(ch)) {
        return String.valueOf((char) next());
      }
      if (!Character.isLetterOrDigit(ch) && ch != '_') {
        break;
      }
      name.append((char) next());
    }
    return name.toString();
  }

  private static boolean isSpecialParameter(int ch) {
    return ch == '@' || ch == '*' || ch == '#' || ch == '?' || ch == '-' || ch == '$'
        || ch == '!' || ch == '0';
  }

  /** Positional and special parameters are never set in a Dockerfile. */
  private String lookup(String name) {
    if (name.isEmpty() || Character.isDigit(name.charAt(0)) || isSpecialParameter(name.charAt(0))) {
      return null;
    }
    return env.get(name);
  }
}
