package dev.jbuild.parser.internal;

import java.util.ArrayList;
import java.util.List;

/** Small string helpers for argument forms that BuildKit splits without regard to quotes. */
final class Words {

  private Words() {}

  /**
   * Splits on runs of blanks, like BuildKit's parseStringsWhitespaceDelimited (used for FROM,
   * EXPOSE and the non-JSON form of COPY, ADD and VOLUME): quotes are not special.
   */
  static List<String> splitOnBlanks(String text) {
    List<String> words = new ArrayList<>();
    int i = Blanks.skip(text, 0);
    while (i < text.length()) {
      int end = i;
      while (end < text.length() && !Blanks.isBlank(text.charAt(end))) {
        end++;
      }
      words.add(text.substring(i, end));
      i = Blanks.skip(text, end);
    }
    return words;
  }

  /**
   * Removes quotes and processes escapes in one word, as BuildKit's flag extraction and heredoc
   * delimiter processing do: outside quotes the escape token escapes any character (a trailing one
   * is dropped); inside double quotes it escapes only {@code "}, {@code $} and itself; single quotes
   * are literal.
   *
   * @throws IllegalArgumentException with BuildKit's message for an unterminated quote
   */
  static String unquote(String word, char escape) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < word.length()) {
      char c = word.charAt(i++);
      if (c == '\'') {
        int close = word.indexOf('\'', i);
        if (close < 0) {
          throw new IllegalArgumentException(
              "unexpected end of statement while looking for matching single-quote");
        }
        out.append(word, i, close);
        i = close + 1;
      } else if (c == '"') {
        boolean closed = false;
        while (i < word.length()) {
          char d = word.charAt(i++);
          if (d == '"') {
            closed = true;
            break;
          }
          if (d == escape && i < word.length()) {
            char n = word.charAt(i);
            if (n == '"' || n == '$' || n == escape) {
              d = n;
              i++;
            }
          }
          out.append(d);
        }
        if (!closed) {
          throw new IllegalArgumentException(
              "unexpected end of statement while looking for matching double-quote");
        }
      } else if (c == escape) {
        if (i < word.length()) {
          out.append(word.charAt(i++));
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
