package dev.jbuild.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.Copy;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.ExecForm;
import dev.jbuild.parser.ast.Flag;
import dev.jbuild.parser.ast.From;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.Run;
import dev.jbuild.parser.ast.ShellForm;
import dev.jbuild.parser.ast.SourceRange;
import dev.jbuild.parser.ast.Stage;
import dev.jbuild.parser.ast.Warning;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link DockerfileParser} and the {@link Dockerfile} helpers. */
class DockerfileParserTest {

  @Test
  void parse_crlfAndBom_sameAsLf() throws Exception {
    Dockerfile crlf =
        DockerfileParser.parse("\uFEFFFROM alpine\r\nRUN echo a \\\r\n  b\r\n", "Dockerfile");
    Dockerfile lf = DockerfileParser.parse("FROM alpine\nRUN echo a \\\n  b\n", "Dockerfile");

    assertEquals(lf, crlf);
    Run run = (Run) crlf.instructions().get(1);
    assertEquals(new ShellForm("echo a   b"), run.command());
    assertEquals(new SourceRange(2, 1, 3, 3), run.range());
  }

  @Test
  void parse_bomBeforeDirective_directiveRecognised() throws Exception {
    Dockerfile dockerfile =
        DockerfileParser.parse("\uFEFF# escape=`\nFROM alpine\nRUN a `\n b\n", "Dockerfile");

    assertEquals(Map.of("escape", "`"), dockerfile.directives());
    assertEquals('`', dockerfile.escapeToken());
    assertEquals(new ShellForm("a  b"), ((Run) dockerfile.instructions().get(1)).command());
  }

  @Test
  void stages_groupInstructionsAfterEachFrom() throws Exception {
    Dockerfile dockerfile =
        DockerfileParser.parse(
            "ARG A=1\nARG B\nFROM alpine AS Build\nRUN make\nFROM scratch\n"
                + "COPY --from=build /out /\nCMD [\"/out\"]\n",
            "Dockerfile");

    List<Stage> stages = dockerfile.stages();
    assertEquals(2, stages.size());
    assertEquals("build", stages.get(0).name());
    assertEquals(0, stages.get(0).index());
    assertEquals(1, stages.get(0).instructions().size());
    assertNull(stages.get(1).name());
    assertEquals(1, stages.get(1).index());
    assertEquals("scratch", stages.get(1).from().image());
    assertEquals(2, stages.get(1).instructions().size());
    List<Arg> globals = dockerfile.globalArgs();
    assertEquals(2, globals.size());
    assertEquals("1", globals.get(0).args().get(0).defaultValue());
    assertFalse(globals.get(1).args().get(0).hasDefault());
    assertEquals('\\', dockerfile.escapeToken());
  }

  @Test
  void flags_rawValuesAndLookup() throws Exception {
    Dockerfile dockerfile =
        DockerfileParser.parse(
            "FROM --platform=linux/arm64 alpine\nCOPY --from=0 --link a b\n", "Dockerfile");

    From from = (From) dockerfile.instructions().get(0);
    assertEquals(List.of(new Flag("platform", "linux/arm64")), from.flags());
    Copy copy = (Copy) dockerfile.instructions().get(1);
    assertEquals("0", copy.flag("from").orElseThrow().value());
    assertNull(copy.flag("link").orElseThrow().value());
    assertEquals("--link", copy.flag("link").orElseThrow().toString());
    assertTrue(copy.flag("chown").isEmpty());
  }

  @Test
  void parse_errorUsesFileNameAndPosition() {
    DockerfileSyntaxException e =
        assertThrows(
            DockerfileSyntaxException.class,
            () -> DockerfileParser.parse("FROM alpine\n  RUNN echo\n", "Dockerfile.dev"));

    assertEquals("Dockerfile.dev:2:3: unknown instruction: RUNN (did you mean RUN?)", e.getMessage());
    assertEquals("Dockerfile.dev", e.fileName());
    assertEquals(new SourceRange(2, 3, 2, 6), e.range());
    assertEquals("unknown instruction: RUNN (did you mean RUN?)", e.detail());
  }

  @Test
  void parse_lineTooLong_fails() {
    String text = "FROM alpine\nRUN echo " + "x".repeat(65535) + "\n";

    DockerfileSyntaxException e =
        assertThrows(DockerfileSyntaxException.class, () -> DockerfileParser.parse(text, "Dockerfile"));

    assertEquals(
        "Dockerfile:2:1: dockerfile line greater than max allowed size of 65535", e.getMessage());
  }

  @Test
  void parse_emptyText_noInstructions() {
    DockerfileSyntaxException e =
        assertThrows(DockerfileSyntaxException.class, () -> DockerfileParser.parse("", "Dockerfile"));

    assertEquals("Dockerfile:1:1: file with no instructions", e.getMessage());
  }

  @Test
  void parse_emptyContinuationLine_warnsWithLine() throws Exception {
    Dockerfile dockerfile =
        DockerfileParser.parse("FROM alpine\nRUN a \\\n\n  b\n", "Dockerfile");

    assertEquals(
        List.of(new Warning(4, "NoEmptyContinuation: Empty continuation line")),
        dockerfile.warnings());
  }

  @Test
  void parse_jsonExecForm_decodesEscapes() throws Exception {
    Dockerfile dockerfile =
        DockerfileParser.parse(
            "FROM a\nENTRYPOINT [\"sh\", \"-c\", \"echo \\\"\\u0041\\\\n\\\"\"]\n", "Dockerfile");

    Instruction entrypoint = dockerfile.instructions().get(1);
    assertEquals(
        new ExecForm(List.of("sh", "-c", "echo \"A\\n\"")),
        ((dev.jbuild.parser.ast.Entrypoint) entrypoint).command());
  }

  @Test
  void visitor_dispatchesOnType() throws Exception {
    Dockerfile dockerfile =
        DockerfileParser.parse(
            "FROM a\nRUN x\nCOPY a b\nENV A=1\nUSER u\nWORKDIR /w\nCMD c\n", "Dockerfile");
    StringBuilder seen = new StringBuilder();
    AstPrinter printer = new AstPrinter();

    for (Instruction instruction : dockerfile.instructions()) {
      seen.append(instruction.keyword()).append(instruction.accept(printer)).append(';');
    }

    assertEquals(
        "FROM image=\"a\";RUN shell=\"x\";COPY sources=[\"a\"] dest=\"b\";ENV \"A\"=\"1\";"
            + "USER \"u\";WORKDIR \"/w\";CMD shell=\"c\";",
        seen.toString());
  }

  @Test
  void parse_heredocWithCrlf_bodyHasLfOnly() throws Exception {
    Dockerfile dockerfile =
        DockerfileParser.parse("FROM a\r\nRUN <<EOF\r\necho 1\r\nEOF\r\n", "Dockerfile");

    Run run = (Run) dockerfile.instructions().get(1);
    assertEquals("echo 1\n", run.heredocs().get(0).content());
  }

  @Test
  void healthcheck_durationsParsedLikeGo() throws Exception {
    Dockerfile dockerfile =
        DockerfileParser.parse(
            "FROM a\nHEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=0 --retries=3"
                + " CMD [\"true\"]\n",
            "Dockerfile");

    dev.jbuild.parser.ast.Healthcheck healthcheck =
        (dev.jbuild.parser.ast.Healthcheck) dockerfile.instructions().get(1);
    assertEquals(90_000_000_000L, healthcheck.intervalNanos());
    assertEquals(1_500_000_000L, healthcheck.timeoutNanos());
    assertEquals(0L, healthcheck.startPeriodNanos());
    assertEquals(0L, healthcheck.startIntervalNanos());
    assertEquals(3, healthcheck.retries());
  }

  @Test
  void parse_escapeTokenPerFile_noLeakBetweenParses() throws Exception {
    // With ` as escape token "x` y" is one word; with \ it is two words and "y" has no '='.
    String body = "FROM a\nENV P=c:\\x` y\n";
    for (int i = 0; i < 3; i++) {
      Dockerfile backtick = DockerfileParser.parse("# escape=`\n" + body, "Dockerfile");
      assertEquals(
          List.of(new dev.jbuild.parser.ast.KeyValue("P", "c:\\x` y")),
          ((dev.jbuild.parser.ast.Env) backtick.instructions().get(1)).pairs());

      DockerfileSyntaxException e =
          assertThrows(
              DockerfileSyntaxException.class, () -> DockerfileParser.parse(body, "Dockerfile"));
      assertEquals(
          "Dockerfile:2:13: Syntax error - can't find = in \"y\". Must be of the form: name=value",
          e.getMessage());
    }
  }
}
