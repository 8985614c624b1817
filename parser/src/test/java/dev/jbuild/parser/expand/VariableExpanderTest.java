package dev.jbuild.parser.expand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tests for {@link VariableExpander}. Cases written from the language reference (§1.5). */
class VariableExpanderTest {

  private static final Map<String, String> VARS =
      Map.of(
          "PWD", "/home",
          "SHELL", "bash",
          "EMPTY", "",
          "SPACED", "a  b c",
          "FILE", "/usr/local/bin/app.tar.gz",
          "lower", "case");

  // '|' separates input and expected output; "<empty>" stands for "".
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\u0000',
      value = {
        "hello|hello",
        "$PWD|/home",
        "${PWD}/x|/home/x",
        "$PWD$SHELL|/homebash",
        "$UNSET|<empty>",
        "x$UNSET.y|x.y",
        "$lower-$LOWER|case-",
        "'$PWD'|$PWD",
        "\"$PWD\"|/home",
        "\"a\\\"b\"|a\"b",
        "\"a\\xb\"|a\\xb",
        "\"a\\$PWD\"|a$PWD",
        "a\\ b|a b",
        "\\$PWD|$PWD",
        "trailing\\|trailing",
        "$|$",
        "a$|a$",
        "$%x|$%x",
        "a$1b|ab",
        "$$|<empty>",
        "${UNSET:-def}|def",
        "${EMPTY:-def}|def",
        "${EMPTY-def}|<empty>",
        "${UNSET-def}|def",
        "${PWD:-def}|/home",
        "${PWD:+alt}|alt",
        "${EMPTY:+alt}|<empty>",
        "${EMPTY+alt}|alt",
        "${UNSET+alt}|<empty>",
        "${UNSET:-$PWD/x}|/home/x",
        "${UNSET:-${SHELL:-no}}|bash",
        "${UNSET:-'quoted }'}|quoted }",
        "${PWD:?must be set}|/home",
        "${FILE#*/}|usr/local/bin/app.tar.gz",
        "${FILE##*/}|app.tar.gz",
        "${FILE%.*}|/usr/local/bin/app.tar",
        "${FILE%%.*}|/usr/local/bin/app",
        "${FILE#/usr}|/local/bin/app.tar.gz",
        "${FILE#nomatch}|/usr/local/bin/app.tar.gz",
        "${FILE%.?z}|/usr/local/bin/app.tar",
        "${FILE/local/opt}|/usr/opt/bin/app.tar.gz",
        "${FILE//\\//:}|:usr:local:bin:app.tar.gz",
        "${SPACED// /_}|a__b_c",
        "${SPACED/ /_}|a_ b c",
        "${PWD/?/X}|Xhome",
        "${PWD/h*/X}|/X",
        "${UNSET/a/b}|<empty>",
        "${FILE#\\*}|/usr/local/bin/app.tar.gz",
      })
  void expand_table(String input, String expected) throws ExpansionException {
    String want = expected.equals("<empty>") ? "" : expected;
    assertEquals(want, VariableExpander.standard().expand(input, VARS));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\u0000',
      value = {
        "${}|bad substitution",
        "${:x}|bad substitution",
        "${{x}|bad substitution",
        "${PWD|syntax error: missing '}'",
        "${PWD:-x|syntax error: missing '}'",
        "${|syntax error: missing '}'",
        "${PWD=x}|unsupported modifier (=) in substitution",
        "${PWD:=x}|unsupported modifier (:=) in substitution",
        "${PWD:#x}|unsupported modifier (:#) in substitution",
        "${PWD:%x}|unsupported modifier (:%) in substitution",
        "${PWD//}|syntax error: missing '/' in ${}",
        "${UNSET?}|UNSET: is not allowed to be unset",
        "${UNSET:?}|UNSET: is not allowed to be unset",
        "${EMPTY:?}|EMPTY: is not allowed to be empty",
        "${UNSET:?custom message}|UNSET: custom message",
        "'open|unexpected end of statement while looking for matching single-quote",
        "\"open|unexpected end of statement while looking for matching double-quote",
      })
  void expand_errors(String input, String detail) {
    ExpansionException e =
        assertThrows(ExpansionException.class, () -> VariableExpander.standard().expand(input, VARS));
    assertEquals(detail, e.detail());
    assertEquals("failed to process \"" + input.replace("\"", "\\\"") + "\": " + detail, e.getMessage());
  }

  @Test
  void expand_emptyVariableIsSetForDashWithoutColon() throws ExpansionException {
    assertEquals("", VariableExpander.standard().expand("${EMPTY?}", VARS));
  }

  @Test
  void expandWords_splitsUnquotedValuesOnly() throws ExpansionException {
    VariableExpander expander = VariableExpander.standard();
    assertEquals(List.of("80", "a", "b", "c"), expander.expandWords("80 $SPACED", VARS));
    assertEquals(List.of("a  b c", "x"), expander.expandWords("\"$SPACED\" x", VARS));
    assertEquals(List.of("x"), expander.expandWords("'' x \"\"", VARS));
    assertEquals(List.of("a b", "c"), expander.expandWords("a\\ b   c", VARS));
    assertEquals(List.of("8080/tcp", "9090"), expander.expandWords(" 8080/tcp\t9090 ", VARS));
    assertEquals(List.of(), expander.expandWords("$UNSET", VARS));
  }

  @Test
  void expand_backtickEscapeToken() throws ExpansionException {
    VariableExpander expander = VariableExpander.withEscapeToken('`');
    assertEquals("C:\\Program Files\\app", expander.expand("C:\\Program` Files\\app", VARS));
    assertEquals("a$PWD", expander.expand("a`$PWD", VARS));
    assertEquals("x\"y", expander.expand("\"x`\"y\"", VARS));
    assertEquals("c:\\/home", expander.expand("c:\\$PWD", VARS));
  }

  @Test
  void withEscapeToken_rejectsOtherTokens() {
    assertThrows(IllegalArgumentException.class, () -> VariableExpander.withEscapeToken('x'));
  }

  @Test
  void expandHeredoc_quotesAreOrdinaryCharacters() throws Exception {
    // BuildKit dockerfile_heredoc_test.go testHeredocVarSubstitution (q1, q2) and
    // testCopyHeredocSpecialSymbols: Lex.SkipProcessQuotes keeps quotes and expands inside them.
    Map<String, String> vars = Map.of("name", "world");
    assertEquals("Hello 'world'! \"world\" it's\n",
        VariableExpander.expandHeredoc("Hello '${name}'! \"$name\" it's\n", vars));
    assertEquals("$name \\ \n", VariableExpander.expandHeredoc("\\$name \\\\ \\\n", vars));
    // An unbalanced quote is no error in a heredoc body.
    assertEquals("'\n", VariableExpander.expandHeredoc("'\n", vars));
  }
}
