package dev.jbuild.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.parser.ast.CheckOptions;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.Warning;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The parser's side of BuildKit's build checks that the builder finishes: check options that
 * replace the {@code # check=} directive (testRuleCheckOption), warnings kept with a syntax error
 * (testWarningsBeforeError) and NoEmptyContinuation's line and wording (testNoEmptyContinuation),
 * all from moby/buildkit frontend/dockerfile/dockerfile_check_test.go.
 */
class BuildCheckOptionsTest {

  private static final String CASING = "#check=skip=all\nFROM scratch as base\ncopy Dockerfile .\n";
  private static final Warning FROM_AS = new Warning(2,
      "FromAsCasing: 'as' and 'FROM' keywords' casing do not match");
  private static final Warning CONSISTENT = new Warning(3,
      "ConsistentInstructionCasing: Command 'copy' should match the case of the command majority"
          + " (uppercase)");

  @Test
  void checks_replaceTheDirective_whenGiven() throws Exception {
    assertEquals(List.of(), DockerfileParser.parse(CASING, "Dockerfile").warnings());
    assertEquals(List.of(FROM_AS), DockerfileParser.parse(CASING, "Dockerfile",
        CheckOptions.parse("skip=ConsistentInstructionCasing;error=true")).warnings());
    // An empty BUILDKIT_DOCKERFILE_CHECK is BuildKit's empty config: nothing skipped.
    assertEquals(List.of(FROM_AS, CONSISTENT),
        DockerfileParser.parse(CASING, "Dockerfile", CheckOptions.parse("")).warnings());
    assertEquals(List.of(), DockerfileParser.parse("#check=error=true\n"
        + CASING.substring(CASING.indexOf('\n') + 1), "Dockerfile",
        CheckOptions.parse("skip=all")).warnings());
    // null keeps the directive.
    assertEquals(List.of(FROM_AS), DockerfileParser.parse(
        "#check=skip=ConsistentInstructionCasing\nFROM scratch as base\ncopy Dockerfile .\n",
        "Dockerfile", null).warnings());
  }

  @Test
  void checks_perInstructionSkipStillApplies_withReplacedOptions() throws Exception {
    String text = "FROM scratch\n# check=skip=MaintainerDeprecated\nMAINTAINER me\n"
        + "MAINTAINER you\n";
    assertEquals(List.of(new Warning(4,
            "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label")),
        DockerfileParser.parse(text, "Dockerfile", CheckOptions.parse("error=true")).warnings());
  }

  @Test
  void syntaxError_carriesTheWarningsOfTheLinesBefore() {
    DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
        () -> DockerfileParser.parse(
            "\nFROM scratch AS BadStageName\nMAINTAINER me@example.org\nBADCMD\n", "Dockerfile"));
    assertEquals("Dockerfile:4:1: unknown instruction: BADCMD", e.getMessage());
    assertEquals(List.of(
        new Warning(2, "StageNameCasing: Stage name 'BadStageName' should be lowercase"),
        new Warning(3,
            "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label")),
        e.warnings());
  }

  @Test
  void syntaxError_warningsBefore_skipWhatTheChecksSkip_andLeaveWholeFileRules() {
    // ConsistentInstructionCasing and DuplicateStageName look at the whole file: BuildKit runs
    // them after the instructions parse, so a syntax error comes without them.
    String text = "# check=skip=MaintainerDeprecated\nFROM scratch AS a\nMAINTAINER me\n"
        + "from scratch AS a\nRUN a \\\n\n b\nCOPY --bogus=1 a b\n";
    DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
        () -> DockerfileParser.parse(text, "Dockerfile"));
    assertEquals(List.of(
        new Warning(4, "FromAsCasing: 'AS' and 'from' keywords' casing do not match"),
        new Warning(7, "NoEmptyContinuation: Empty continuation line")), e.warnings());
  }

  @Test
  void syntaxError_inTheFirstInstruction_hasNoWarnings() {
    DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
        () -> DockerfileParser.parse("BADCMD x\nFROM scratch AS Bad\n", "Dockerfile"));
    assertEquals(List.of(), e.warnings());
  }

  @Test
  void emptyContinuation_isReportedOnTheInstructionsLastLine_inBuildKitsWords() throws Exception {
    // testNoEmptyContinuation: the empty line is 5, BuildKit reports 6.
    String text = "\nFROM scratch\n# warning: empty continuation line\nCOPY Dockerfile \\\n\n.\n"
        + "COPY Dockerfile \\\n.\n";
    assertEquals(List.of(new Warning(6, "NoEmptyContinuation: Empty continuation line")),
        DockerfileParser.parse(text, "Dockerfile").warnings());
    assertEquals("NoEmptyContinuation",
        DockerfileParser.parse(text, "Dockerfile").warnings().get(0).rule());
    assertEquals(List.of(), DockerfileParser.parse("# check=skip=NoEmptyContinuation\n"
        + text, "Dockerfile").warnings());
    // Comment and blank lines after the last continued line count, as in BuildKit's parser.
    assertEquals(List.of(new Warning(6, "NoEmptyContinuation: Empty continuation line")),
        DockerfileParser.parse("FROM scratch\nRUN a \\\n\n# c\n  \n b\n", "Dockerfile")
            .warnings());
  }
}
