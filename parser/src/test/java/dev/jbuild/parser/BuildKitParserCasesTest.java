package dev.jbuild.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.Env;
import dev.jbuild.parser.ast.KeyValue;
import dev.jbuild.parser.ast.Label;
import dev.jbuild.parser.ast.SyntaxNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parser bugs found with BuildKit's tests (issue #14), each named after the BuildKit test or golden
 * it comes from: word splitting of ENV/LABEL ({@code parser/testfiles/env}, {@code TestParseWords}
 * in {@code parser/parser_test.go}, the ENV cases of {@code dockerfile_test.go testEnvEscapes}-like
 * Dockerfiles) and the split between BuildKit's parser layer ({@code parser.Parse}, what {@code
 * jbuild parse} follows) and its instruction layer ({@code instructions.Parse}, the build path).
 */
class BuildKitParserCasesTest {

  private static List<KeyValue> envPairs(String dockerfile) throws Exception {
    return ((Env) DockerfileParser.parse(dockerfile, "Dockerfile").instructions().get(1)).pairs();
  }

  @Test
  void env_escapedQuoteOutsideQuotes_doesNotStartAQuote() throws Exception {
    // parseWords (line_parsers.go): "If we're not quoted and we see an escape token, then always
    // just add the escape token plus the char to the word, even if the char is a quote."
    assertEquals(List.of(new KeyValue("E03", "he\\'llo"), new KeyValue("E04", "x")),
        envPairs("FROM scratch\nENV E03=he\\'llo E04=x\n"));
    assertEquals(List.of(new KeyValue("E05", "a\\\"b"), new KeyValue("E06", "y")),
        envPairs("FROM scratch\nENV E05=a\\\"b E06=y\n"));
  }

  @Test
  void env_escapedEscapeBeforeBlank_endsTheWord() throws Exception {
    assertEquals(List.of(new KeyValue("E25", "\\\\"), new KeyValue("E26", "y")),
        envPairs("FROM scratch\nENV E25=\\\\ E26=y\n"));
  }

  @Test
  void env_escapedQuoteInsideDoubleQuotes_staysInside() throws Exception {
    assertEquals(List.of(new KeyValue("a", "\"x\\\"y\""), new KeyValue("b", "z")),
        envPairs("FROM scratch\nENV a=\"x\\\"y\" b=z\n"));
  }

  @Test
  void env_tabAfterContinuation_separatesWords() throws Exception {
    // parser/testfiles/env, the last ENV (its line 22 starts with a tab).
    List<KeyValue> pairs = envPairs("FROM ubuntu\nENV name3=\"value3a\\n\\\"value3b\\\"\" \\\n"
        + "\tname4=\"value4a\\\\nvalue4b\" \\\n");
    assertEquals(List.of(new KeyValue("name3", "\"value3a\\n\\\"value3b\\\"\""),
        new KeyValue("name4", "\"value4a\\\\nvalue4b\"")), pairs);
  }

  @Test
  void label_escapedQuote_doesNotSwallowNextPair() throws Exception {
    Label label = (Label) DockerfileParser.parse(
        "FROM scratch\nLABEL a=it\\'s b=2\n", "Dockerfile").instructions().get(1);
    assertEquals(List.of(new KeyValue("a", "it\\'s"), new KeyValue("b", "2")), label.pairs());
  }

  @Test
  void env_backtickEscape_escapedQuoteDoesNotStartAQuote() throws Exception {
    // parser/testfiles/escape (escape=`): the same rule with the other escape token.
    assertEquals(List.of(new KeyValue("a", "x`'y"), new KeyValue("b", "z")),
        envPairs("# escape=`\nFROM scratch\nENV a=x`'y b=z\n"));
  }

  @Test
  void env_unterminatedQuote_stillRunsToEndOfLine() throws Exception {
    // parseWords does not report an unterminated quote: the word runs to the end of the line.
    assertEquals(List.of(new KeyValue("a", "'x b=y")),
        envPairs("FROM scratch\nENV a='x b=y\n"));
  }

  private static Dockerfile syntax(String text) throws DockerfileSyntaxException {
    return DockerfileParser.parseSyntax(text.getBytes(StandardCharsets.UTF_8), "Dockerfile");
  }

  @Test
  void parseSyntax_noFrom_accepted_parseStillRejects() throws Exception {
    // parser/testfiles/json and jeztah-*: no FROM at all.
    Dockerfile d = syntax("CMD [\"a\"]\n");
    assertEquals("cmd", d.nodes().get(0).name());
    assertTrue(d.instructions().isEmpty());

    DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
        () -> DockerfileParser.parse("CMD [\"a\"]\n", "Dockerfile"));
    assertEquals("Dockerfile:1:1: no build stage in current context", e.getMessage());
  }

  @Test
  void parseSyntax_unknownFlags_accepted_parseStillRejects() throws Exception {
    // parser/testfiles/flags.
    Dockerfile d = syntax("FROM scratch\nCOPY --user=me --doit=true foo /tmp/\nCMD --doit -- [ ]\n");
    assertEquals(List.of("--user=me", "--doit=true"), d.nodes().get(1).flags());
    SyntaxNode cmd = d.nodes().get(2);
    assertEquals(List.of("--doit"), cmd.flags());
    assertEquals(List.of(), cmd.args());

    DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
        () -> DockerfileParser.parse("FROM scratch\nCOPY --user=me foo /tmp/\n", "Dockerfile"));
    assertEquals("Dockerfile:2:6: unknown flag: --user", e.getMessage());
  }

  @Test
  void parseSyntax_healthcheckVariants_accepted_parseStillRejects() throws Exception {
    // parser/testfiles/health: HEALTHCHECK alone, CMD without command, an unknown type.
    Dockerfile d = syntax("FROM debian\nHEALTHCHECK\nHEALTHCHECK CMD\nHEALTHCHECK CONNECT TCP 7000\n");
    assertEquals(List.of(), d.nodes().get(1).args());
    assertEquals(List.of("CMD"), d.nodes().get(2).args());
    assertEquals(List.of("CONNECT", "TCP 7000"), d.nodes().get(3).args());

    for (String[] c : new String[][] {
        {"HEALTHCHECK", "HEALTHCHECK requires at least one argument"},
        {"HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD"},
        {"HEALTHCHECK CONNECT TCP 7000", "Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)"}}) {
      DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
          () -> DockerfileParser.parse("FROM debian\n" + c[0] + "\n", "Dockerfile"));
      assertEquals("Dockerfile:2:1: " + c[1], e.getMessage());
    }
  }

  @Test
  void parseSyntax_onbuildTriggerRefusedByInstructionLayer_keepsTrigger() throws Exception {
    Dockerfile d = syntax("FROM a\nONBUILD FROM b\n");
    assertEquals("from", d.nodes().get(1).trigger().name());
    assertEquals(List.of("b"), d.nodes().get(1).trigger().args());

    DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
        () -> DockerfileParser.parse("FROM a\nONBUILD FROM b\n", "Dockerfile"));
    assertEquals("Dockerfile:2:1: FROM isn't allowed as an ONBUILD trigger", e.getMessage());
  }

  @Test
  void parseSyntax_parserLayerErrors_stillRejected() {
    // parser/testfiles-negative: env_no_value, shykes-nested-json, empty_dockerfile.
    for (String[] c : new String[][] {
        {"FROM busybox\n\nENV PATH\n", "Dockerfile:3:1: ENV must have two arguments"},
        {"CMD [ \"echo\", [ \"nested json\" ] ]\n", "Dockerfile:1:1: when using JSON array"
            + " syntax, arrays must be comprised of strings only"},
        {"", "Dockerfile:1:1: file with no instructions"},
        {"FROM a\nCOPPY a b\n", "Dockerfile:2:1: unknown instruction: COPPY (did you mean COPY?)"},
        {"FROM a\nRUN <<EOF\nx\n", "Dockerfile:2:1: unterminated heredoc"}}) {
      DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
          () -> syntax(c[0]), c[0]);
      assertTrue(e.getMessage().startsWith(c[1]), e.getMessage());
    }
  }

  @Test
  void parseSyntax_instructionLayerErrorsOfEveryKind_giveNodes() throws Exception {
    // Each line is accepted by BuildKit's parser.Parse and rejected by instructions.Parse.
    Dockerfile d = syntax("FROM\nFROM a b\nFROM a AS 1x\nRUN\nSHELL echo\nSHELL []\nCOPY a\n"
        + "ARG\nARG =x\nVOLUME\nVOLUME \"\"\nWORKDIR\nEXPOSE\nONBUILD\nENV\n"
        + "HEALTHCHECK NONE x\nHEALTHCHECK --interval=x CMD a\n");
    assertEquals(17, d.nodes().size());
    assertEquals(List.of("a", "b"), d.nodes().get(1).args());
    assertEquals(List.of("echo"), d.nodes().get(4).args());
    assertEquals(List.of("a"), d.nodes().get(6).args());
    assertEquals(List.of("=x"), d.nodes().get(8).args());
    assertEquals(List.of("NONE", "x"), d.nodes().get(15).args());
    assertEquals(List.of("--interval=x"), d.nodes().get(16).flags());
  }
}
