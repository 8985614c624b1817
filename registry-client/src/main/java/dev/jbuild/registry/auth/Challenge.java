package dev.jbuild.registry.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One authentication challenge from a {@code WWW-Authenticate} header (RFC 7235 §4.1, RFC 6750
 * §3), for example {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io"}.
 *
 * @param scheme the scheme in lower case, for example {@code basic} or {@code bearer}
 * @param parameters the auth-params with lower-case names and unquoted values
 */
public record Challenge(String scheme, Map<String, String> parameters) {

  /** Copies. */
  public Challenge {
    scheme = scheme.toLowerCase(Locale.ROOT);
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  /** True for the {@code Basic} scheme. */
  public boolean isBasic() {
    return scheme.equals("basic");
  }

  /** True for the {@code Bearer} scheme. */
  public boolean isBearer() {
    return scheme.equals("bearer");
  }

  /** Parameter {@code name} (case-insensitive). */
  public Optional<String> parameter(String name) {
    return Optional.ofNullable(parameters.get(name.toLowerCase(Locale.ROOT)));
  }

  /**
   * Parses all challenges in the given header values. A value may hold several challenges
   * separated by commas; malformed parts are skipped, never thrown, since the header comes from the
   * network.
   */
  public static List<Challenge> parseAll(List<String> headerValues) {
    List<Challenge> result = new ArrayList<>();
    for (String value : headerValues) {
      new Parser(value).parseInto(result);
    }
    return result;
  }

  /**
   * A small tokenizer for {@code challenge *("," challenge)} where
   * {@code challenge = scheme [ token68 / param *("," param) ]} and
   * {@code param = token "=" (token / quoted-string)} (RFC 7235 §2.1).
   */
  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    void parseInto(List<Challenge> out) {
      String scheme = null;
      Map<String, String> params = new LinkedHashMap<>();
      while (true) {
        skipSeparators();
        if (pos >= text.length()) {
          break;
        }
        String token = readToken();
        if (token.isEmpty()) {
          pos++; // a stray character: skip it
          continue;
        }
        int afterToken = pos;
        skipSpaces();
        if (scheme != null && pos < text.length() && text.charAt(pos) == '=') {
          pos++;
          skipSpaces();
          params.put(token.toLowerCase(Locale.ROOT), readValue());
          continue;
        }
        pos = afterToken;
        // A token without "=" starts a new challenge.
        if (scheme != null) {
          out.add(new Challenge(scheme, params));
          params = new LinkedHashMap<>();
        }
        scheme = token;
        skipToken68();
      }
      if (scheme != null) {
        out.add(new Challenge(scheme, params));
      }
    }

    /**
     * Skips a token68 right after a scheme ({@code Negotiate abc==}); leaves the position
     * unchanged if what follows is not one (for example a param).
     */
    private void skipToken68() {
      int save = pos;
      skipSpaces();
      int start = pos;
      while (pos < text.length() && isToken68Char(text.charAt(pos))) {
        pos++;
      }
      boolean any = pos > start;
      while (pos < text.length() && text.charAt(pos) == '=') {
        pos++;
      }
      skipSpaces();
      boolean ends = pos >= text.length() || text.charAt(pos) == ',';
      if (!any || !ends) {
        pos = save;
      }
    }

    private String readValue() {
      if (pos < text.length() && text.charAt(pos) == '"') {
        pos++;
        StringBuilder value = new StringBuilder();
        while (pos < text.length() && text.charAt(pos) != '"') {
          char c = text.charAt(pos++);
          if (c == '\\' && pos < text.length()) {
            c = text.charAt(pos++);
          }
          value.append(c);
        }
        pos++; // the closing quote
        return value.toString();
      }
      int start = pos;
      while (pos < text.length() && text.charAt(pos) != ','
          && !Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
      return text.substring(start, pos);
    }

    private String readToken() {
      int start = pos;
      while (pos < text.length() && isTokenChar(text.charAt(pos))) {
        pos++;
      }
      return text.substring(start, pos);
    }

    private void skipSpaces() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    private void skipSeparators() {
      while (pos < text.length()
          && (Character.isWhitespace(text.charAt(pos)) || text.charAt(pos) == ',')) {
        pos++;
      }
    }

    private static boolean isTokenChar(char c) {
      return c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    }

    private static boolean isToken68Char(char c) {
      return c < 128 && (Character.isLetterOrDigit(c) || "-._~+/".indexOf(c) >= 0);
    }
  }
}
