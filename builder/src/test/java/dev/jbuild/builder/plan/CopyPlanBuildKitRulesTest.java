package dev.jbuild.builder.plan;

import static dev.jbuild.builder.plan.PlanFixtures.busybox;
import static dev.jbuild.builder.plan.PlanFixtures.options;
import static dev.jbuild.builder.plan.PlanFixtures.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Planning rules that BuildKit's Dockerfile tests pin (issue 14; the cases are in samples'
 * {@code buildkit/} suite): {@code --from} is never expanded, stage references and targets are
 * worded as BuildKit words them, {@code FROM scratch} works in {@code /}, an empty COPY
 * destination is the working directory, and ADD's {@code --unpack}.
 */
class CopyPlanBuildKitRulesTest {
  private static CopyFilesStep copy(String dockerfile) throws Exception {
    return (CopyFilesStep) plan(dockerfile).target().steps().stream()
        .filter(s -> s instanceof CopyFilesStep).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void copyFromWithAVariable_isRefused_evenWhenItIsSet() {
    // testDockerfileCopyFromArgs; set or not, BuildKit refuses to expand --from.
    for (String df : new String[] {"FROM scratch\nCOPY --from=$FOO . .\n",
        "ARG S=busybox\nFROM scratch\nARG S\nCOPY --from=${S} /x /x\n"}) {
      BuildException e = assertThrows(BuildException.class, () -> plan(df));
      assertTrue(e.getMessage().endsWith("variable expansion is not supported for --from, define"
          + " a new stage with FROM using ARG from global scope as a workaround"), e.getMessage());
    }
  }

  @Test
  void copyFromALaterStage_isBuildKitsError_notAnImagePull() {
    // testOutOfOrderStage: a later stage's name never falls back to an image.
    BuildException e = assertThrows(BuildException.class, () -> plan(
        "FROM busybox AS target\nCOPY --from=build / /out\nFROM busybox AS build\n"
            + "FROM target\n"));
    assertEquals("Dockerfile:2: cannot copy from stage \"build\", it needs to be defined before"
        + " current stage \"target\"", e.getMessage());
  }

  @Test
  void unknownTarget_suggestsACloseStageName_only() {
    String df = "FROM scratch AS build\nFROM scratch AS release\n";
    assertEquals("target stage \"bulid\" could not be found (did you mean build?)",
        assertThrows(BuildException.class, () -> plan(df, options("bulid", Map.of()), busybox()))
            .getMessage());
    assertEquals("target stage \"BUILDS\" could not be found (did you mean BUILD?)",
        assertThrows(BuildException.class, () -> plan(df, options("BUILDS", Map.of()), busybox()))
            .getMessage());
    assertEquals("target stage \"test\" could not be found",
        assertThrows(BuildException.class, () -> plan(df, options("test", Map.of()), busybox()))
            .getMessage());
  }

  @Test
  void fromScratch_worksInTheRoot() throws Exception {
    // testDockerfileScratchConfig: BuildKit's empty image has WorkingDir "/".
    StagePlan stage = plan("FROM scratch\nENV foo=bar\n").target();
    assertEquals("/", stage.from().header().config().workingDir());
  }

  @Test
  void emptyDestination_isTheWorkingDirectory() throws Exception {
    // testEmptyDestDir, testCopyLinkEmptyDestDir: with --link nothing below says it is a
    // directory, so the plan must.
    CopyFilesStep step = copy("FROM busybox\nWORKDIR /var/www\nENV empty=\"\"\n"
        + "COPY --link testfile $empty\n");
    assertEquals("/var/www/", step.destination());
  }

  @Test
  void addUnpack_defaultsAndFlag() throws Exception {
    CopyFilesStep plain = copy("FROM scratch\nADD t.tar /\n");
    assertTrue(plain.unpackLocal());
    assertFalse(plain.unpackUrls());
    assertNull(plain.unpack());
    CopyFilesStep off = copy("FROM scratch\nADD --unpack=false t.tar /\n");
    assertFalse(off.unpackLocal());
    assertTrue(off.cacheKey().contains("unpack false"));
    assertTrue(copy("FROM scratch\nADD --unpack https://example.com/t.tar /\n").unpackUrls());
    assertFalse(copy("FROM scratch\nCOPY t.tar /\n").unpackLocal(), "COPY never extracts");
  }

  @Test
  void checksumOfALocalSource_isBuildKitsError() {
    // testAddChecksum's local part.
    BuildException e = assertThrows(BuildException.class,
        () -> plan("FROM scratch\nADD --checksum=sha256:0000 foo /tmp/foo\n"));
    assertTrue(e.getMessage().endsWith("checksum requires HTTP(S) or Git sources"),
        e.getMessage());
  }
}
