package dev.jbuild.parser.expand;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Shell-like word processing used by the builder for the instructions BuildKit expands (ENV, LABEL,
 * ARG defaults, WORKDIR, USER, COPY/ADD sources, destination and {@code --chown}/{@code --chmod},
 * EXPOSE, VOLUME, STOPSIGNAL, FROM with global ARGs, RUN {@code --mount} values, heredoc bodies).
 * It follows BuildKit's frontend/dockerfile/shell/lex.go:
 *
 * <ul>
 *   <li>{@code $name} and {@code ${name}}; names are letters, digits and {@code _}. Positional
 *       ({@code $1}) and special ({@code $@ $* $# $? $- $$ $! $0}) parameters parse but are always
 *       unset. A {@code $} before any other character is literal. Unset variables expand to "".
 *   <li>Modifiers {@code ${v:-w} ${v-w} ${v:+w} ${v+w} ${v:?m} ${v?m} ${v#p} ${v##p} ${v%p}
 *       ${v%%p} ${v/p/r} ${v//p/r}}; patterns know {@code *} and {@code ?} only, with the escape
 *       token escaping them. Words, patterns and replacements are expanded recursively.
 *   <li>{@code '...'} is literal; in {@code "..."} {@code $} expands and the escape token escapes
 *       only {@code "}, {@code $} and itself; unquoted, the escape token escapes any character and is
 *       removed (a trailing one too). Quotes are removed; an unterminated quote is an error.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class VariableExpander {

  private static final VariableExpander BACKSLASH = new VariableExpander('\\');
  private static final VariableExpander BACKTICK = new VariableExpander('`');

  private final char escapeToken;

  private VariableExpander(char escapeToken) {
    this.escapeToken = escapeToken;
  }

  /** Returns an expander using the default escape token {@code \}. */
  public static VariableExpander standard() {
    return BACKSLASH;
  }

  /**
   * Returns an expander for a Dockerfile's escape token (see {@code Dockerfile.escapeToken()}).
   *
   * @param escapeToken {@code '\\'} or {@code '`'}
   * @return the expander
   * @throws IllegalArgumentException for any other token
   */
  public static VariableExpander withEscapeToken(char escapeToken) {
    if (escapeToken == '\\') {
      return BACKSLASH;
    }
    if (escapeToken == '`') {
      return BACKTICK;
    }
    throw new IllegalArgumentException("invalid escape token '" + escapeToken + "'");
  }

  /** Returns the escape token this expander uses. */
  public char escapeToken() {
    return escapeToken;
  }

  /**
   * Expands one word without splitting it (BuildKit ProcessWord): the result keeps blanks.
   *
   * @param word the raw word, e.g. {@code "${HOME:-/root}/x"}
   * @param vars the variables in scope (names are case-sensitive)
   * @return the expanded word with quotes removed and escapes processed
   * @throws ExpansionException with BuildKit's message when the word is malformed or a {@code ?}
   *     modifier fails
   */
  public String expand(String word, Map<String, String> vars) throws ExpansionException {
    Objects.requireNonNull(word, "word");
    Objects.requireNonNull(vars, "vars");
    try {
      return new ShellWord(word, escapeToken, vars).processWord();
    } catch (ShellWord.ShellError e) {
      throw new ExpansionException(word, e.getMessage());
    }
  }

  /**
   * Expands the body of a COPY/ADD here-document whose delimiter is unquoted, as BuildKit does
   * ({@code SourcesAndDest.ExpandRaw} in dockerfile2llb/convert.go: {@code shell.NewLex('\\')}
   * with {@code SkipProcessQuotes}): variables expand everywhere, also between single quotes;
   * quotes are kept as written; the escape token is always {@code \} whatever the file's {@code
   * # escape=} says, and it still escapes the next character ({@code \$x} gives {@code $x}).
   *
   * @param body the here-document content
   * @param vars the variables in scope
   * @return the expanded content
   * @throws ExpansionException as for {@link #expand}
   */
  public static String expandHeredoc(String body, Map<String, String> vars)
      throws ExpansionException {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(vars, "vars");
    try {
      return new ShellWord(body, '\\', vars, true).processWord();
    } catch (ShellWord.ShellError e) {
      throw new ExpansionException(body, e.getMessage());
    }
  }

  /**
   * Expands text and splits it into words (BuildKit ProcessWords): unquoted blanks, including
   * those produced by unquoted variable values, separate words; quoted text never splits; empty
   * words are dropped.
   *
   * @param text the raw text, e.g. the arguments of EXPOSE
   * @param vars the variables in scope
   * @return the words
   * @throws ExpansionException as for {@link #expand}
   */
  public List<String> expandWords(String text, Map<String, String> vars)
      throws ExpansionException {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(vars, "vars");
    try {
      return new ShellWord(text, escapeToken, vars).processWords();
    } catch (ShellWord.ShellError e) {
      throw new ExpansionException(text, e.getMessage());
    }
  }
}
