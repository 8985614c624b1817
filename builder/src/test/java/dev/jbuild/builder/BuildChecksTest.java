package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.builder.cli.Main;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.oci.ImageReference;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's side of BuildKit's build checks, ported from moby/buildkit
 * frontend/dockerfile/dockerfile_check_test.go (testRuleCheckOption, testWarningsBeforeError,
 * testJSONArgsRecommended's SHELL Dockerfiles, testLegacyKeyValueFormat's unreachable stage):
 * what {@link ImageBuilder} prints as {@code WARN:} lines and when the build fails. No RUN, no
 * root.
 */
class BuildChecksTest {
  private static final String FROM_AS =
      "WARN: Dockerfile:2: FromAsCasing: 'as' and 'FROM' keywords' casing do not match";

  @TempDir Path tmp;
  private LayerStore store;
  private final List<String> infos = new ArrayList<>();

  @BeforeEach
  void store() throws Exception {
    store = BuildFixture.storeWithBase(tmp.resolve("store"), BuildFixture.rootfs(tmp));
  }

  @Test
  void errorTrue_failsWithBuildKitsMessage_afterPrintingTheWarnings() {
    BuildException e = assertThrows(BuildException.class, () -> build(
        "#check=skip=ConsistentInstructionCasing;error=true\nFROM scratch as base\n"
            + "copy Dockerfile .\n", Map.of()));
    assertEquals("Dockerfile:2: lint violation found for rules: FromAsCasing", e.getMessage());
    assertEquals(List.of(FROM_AS), warnings());
  }

  @Test
  void skippedRules_doNotFail_evenWithErrorTrue() throws Exception {
    for (String directive : List.of("#check=skip=all", "#check=skip=all;error=true",
        "#check=skip=ConsistentInstructionCasing,FromAsCasing",
        "#check=skip=ConsistentInstructionCasing,FromAsCasing;error=true")) {
      infos.clear();
      build(directive + "\nFROM scratch as base\ncopy Dockerfile .\n", Map.of());
      assertEquals(List.of(), warnings(), directive);
    }
    build("#check=skip=ConsistentInstructionCasing\nFROM scratch as base\ncopy Dockerfile .\n",
        Map.of());
    assertEquals(List.of(FROM_AS), warnings());
  }

  @Test
  void checkBuildArg_replacesTheDirective() throws Exception {
    BuildException e = assertThrows(BuildException.class, () -> build(
        "#check=skip=all\nFROM scratch as base\ncopy Dockerfile .\n",
        Map.of("BUILDKIT_DOCKERFILE_CHECK", "skip=ConsistentInstructionCasing;error=true")));
    assertEquals("Dockerfile:2: lint violation found for rules: FromAsCasing", e.getMessage());
    assertEquals(List.of(FROM_AS), warnings());
    infos.clear();
    build("#check=error=true\nFROM scratch as base\ncopy Dockerfile .\n",
        Map.of("BUILDKIT_DOCKERFILE_CHECK", "skip=all"));
    assertEquals(List.of(), warnings());
    // Consumed by the frontend: never reported as an unused build-arg.
    assertEquals(List.of(), infos.stream().filter(m -> m.contains("not consumed")).toList());
  }

  @Test
  void badCheckBuildArg_isOneLineError() {
    BuildException e = assertThrows(BuildException.class, () -> build("FROM scratch\n",
        Map.of("BUILDKIT_DOCKERFILE_CHECK", "error=maybe")));
    assertEquals("failed to parse BUILDKIT_DOCKERFILE_CHECK: failed to parse check option"
        + " \"error=maybe\": strconv.ParseBool: parsing \"maybe\": invalid syntax",
        e.getMessage());
    e = assertThrows(BuildException.class, () -> build("FROM scratch\n",
        Map.of("BUILDKIT_DOCKERFILE_CHECK", "skip")));
    assertEquals("failed to parse BUILDKIT_DOCKERFILE_CHECK: invalid check option \"skip\"",
        e.getMessage());
  }

  @Test
  void syntaxError_printsTheWarningsBefore_thenFails() {
    BuildException e = assertThrows(BuildException.class, () -> build(
        "\nFROM scratch AS BadStageName\nMAINTAINER me@example.org\nBADCMD\n", Map.of()));
    assertEquals("Dockerfile:4:1: unknown instruction: BADCMD", e.getMessage());
    assertEquals(List.of(
        "WARN: Dockerfile:2: StageNameCasing: Stage name 'BadStageName' should be lowercase",
        "WARN: Dockerfile:3: MaintainerDeprecated: Maintainer instruction is deprecated in favor"
            + " of using label"), warnings());
  }

  @Test
  void jsonArgsRecommended_notWhenAShellIsSet_inTheStage_itsParentStage_orItsBaseImage()
      throws Exception {
    for (String keyword : List.of("CMD", "ENTRYPOINT")) {
      infos.clear();
      build("FROM scratch\nSHELL [\"/usr/bin/customshell\"]\n" + keyword + " mycommand\n",
          Map.of());
      build("FROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\n\nFROM base\n" + keyword
          + " mycommand\n", Map.of());
      assertEquals(List.of(), warnings(), keyword);
    }
    BuildResult shellBase = build("FROM base:1\nSHELL [\"/bin/ash\", \"-c\"]\n", Map.of());
    store.images().tag(ImageReference.parse("shellbase:1"), shellBase.image()
        .manifestDescriptor());
    build("FROM shellbase:1\nCMD mycommand\n", Map.of());
    assertEquals(List.of(), warnings());
    // Before the SHELL it still warns, and in a stage without one.
    build("FROM scratch AS a\nCMD one\nSHELL [\"/bin/x\"]\nCMD two\nCOPY Dockerfile /x\n"
        + "FROM scratch\nCMD three\nCOPY --from=a /x /x\n", Map.of());
    assertEquals(List.of(
        "WARN: Dockerfile:2: JSONArgsRecommended: JSON arguments recommended for CMD to prevent"
            + " unintended behavior related to OS signals",
        "WARN: Dockerfile:7: JSONArgsRecommended: JSON arguments recommended for CMD to prevent"
            + " unintended behavior related to OS signals",
        // Two CMDs in stage a: the planner's rule, as BuildKit's, printed after the parser's.
        "WARN: Dockerfile:2: MultipleInstructionsDisallowed: Multiple CMD instructions should not"
            + " be used in the same stage because only the last one will be used"), warnings());
  }

  @Test
  void dispatchRules_onlyForTheStagesTheBuildReaches() throws Exception {
    String text = "\nFROM scratch AS a\n\nFROM a AS b\nENV testkey value\nLABEL key value\n"
        + "CMD x\nEXPOSE 80/TCP\n\nFROM a AS c\n";
    build(text, Map.of());
    assertEquals(List.of(), warnings());
    // The same stage as the target warns; whole-file rules warn for any stage.
    build(text.replace("FROM a AS c", "FROM b AS C"), Map.of());
    assertEquals(List.of(
        "WARN: Dockerfile:5: LegacyKeyValueFormat: \"ENV key=value\" should be used instead of"
            + " legacy \"ENV key value\" format",
        "WARN: Dockerfile:6: LegacyKeyValueFormat: \"LABEL key=value\" should be used instead of"
            + " legacy \"LABEL key value\" format",
        "WARN: Dockerfile:7: JSONArgsRecommended: JSON arguments recommended for CMD to prevent"
            + " unintended behavior related to OS signals",
        "WARN: Dockerfile:8: ExposeProtoCasing: Defined protocol '80/TCP' in EXPOSE instruction"
            + " should be lowercase",
        "WARN: Dockerfile:10: StageNameCasing: Stage name 'C' should be lowercase"), warnings());
  }

  @Test
  void unreachableWarnings_doNotFailTheBuild_withErrorTrue() throws Exception {
    build("# check=error=true\nFROM scratch AS a\nFROM scratch AS b\nENV k v\nFROM a\n",
        Map.of());
    assertEquals(List.of(), warnings());
  }

  @Test
  void cli_lintViolation_isABuildFailure_exitCode1_oneLine() throws Exception {
    Path context = Files.createDirectories(tmp.resolve("cli"));
    Files.writeString(context.resolve("Dockerfile"),
        "#check=error=true\nFROM scratch as base\nCOPY Dockerfile .\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"--root", tmp.resolve("store").toString(), "build",
        "--progress=plain", context.toString()}, new PrintWriter(out, true),
        new PrintWriter(err, true));
    assertEquals(1, code, out + "\n" + err);
    assertEquals("error: Dockerfile:2: lint violation found for rules: FromAsCasing",
        err.toString().strip().lines().reduce((a, b) -> b).orElse(""), err.toString());
  }

  private List<String> warnings() {
    List<String> w = infos.stream().filter(m -> m.startsWith("WARN: Dockerfile:")).toList();
    infos.clear();
    return w;
  }

  private BuildResult build(String dockerfile, Map<String, String> buildArgs) throws Exception {
    Path context = BuildFixture.context(tmp, dockerfile);
    BuildRequest request = BuildRequest.builder(context)
        .dockerfile(context.resolve("Dockerfile")).buildArgs(buildArgs).build();
    BuildListener listener = BuildFixture.infos(infos);
    return new ImageBuilder(store, new FakeCommandRunner(), StoredBases.of(store),
        () -> Instant.parse("2024-01-02T03:04:05Z")).build(request, listener);
  }
}
