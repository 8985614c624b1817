package dev.jbuild.builder.plan;

import static dev.jbuild.builder.plan.PlanFixtures.busybox;
import static dev.jbuild.builder.plan.PlanFixtures.options;
import static dev.jbuild.builder.plan.PlanFixtures.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.context.Chmod;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.parser.DockerfileParser;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Planning rules for RUN, ARG and mounts taken from BuildKit's dockerfile integration tests
 * (moby/buildkit {@code frontend/dockerfile/*_test.go}); each test names the Go test whose
 * assertions it ports. The end-to-end runs of the same cases are in the samples' BuildKit suite.
 */
class BuildKitRunPlanTest {
  private static final String TARGET_STAGE = "FROM busybox AS base\nWORKDIR /out\n"
      + "RUN echo -n \"value:$TARGETSTAGE\" > /out/first\nARG TARGETSTAGE\n"
      + "RUN echo -n \"value:$TARGETSTAGE\" > /out/second\nFROM scratch AS foo\n"
      + "COPY --from=base /out/ /\nFROM scratch\nCOPY --from=base /out/ /\n";

  private static RunCommandStep run(BuildPlan plan, int stage, int step) {
    return (RunCommandStep) plan.stages().get(stage).steps().get(step);
  }

  private static BuildException planError(String text, Map<String, String> args) {
    return assertThrows(BuildException.class,
        () -> plan(text, options(null, args), busybox()));
  }

  /** testTargetStageNameArg: the target's name, or "default", only after ARG TARGETSTAGE. */
  @Test
  void targetStage_isTheTargetName_onlyOnceDeclared() throws Exception {
    BuildPlan foo = plan(TARGET_STAGE, options("foo", Map.of()), busybox());
    assertFalse(run(foo, 0, 1).env().stream().anyMatch(e -> e.startsWith("TARGETSTAGE=")));
    assertTrue(run(foo, 0, 3).env().contains("TARGETSTAGE=foo"), run(foo, 0, 3).env().toString());
    assertTrue(run(plan(TARGET_STAGE), 0, 3).env().contains("TARGETSTAGE=default"));
    BuildPlan last = plan(TARGET_STAGE + "FROM scratch AS final\nCOPY --from=base /out/ /\n");
    assertTrue(run(last, 0, 3).env().contains("TARGETSTAGE=final"));
  }

  /** testArgDefaultExpansion: a given build-arg means the failing default is never expanded. */
  @Test
  void argDefault_withFailingExpansion_isSkippedWhenTheBuildArgIsGiven() throws Exception {
    String text = "FROM scratch\nARG FOO\nARG BAR=${FOO:?\"foo missing\"}\n";
    BuildException e = planError(text, Map.of());
    assertTrue(e.getMessage().contains("FOO: foo missing"), e.getMessage());
    plan(text, options(null, Map.of("FOO", "123")), busybox());
    BuildPlan given = plan(text, options(null, Map.of("BAR", "123")), busybox());
    assertEquals("ARG BAR=123",
        given.target().steps().get(1).header().createdBy().replace(" # buildkit", ""));
  }

  /** testBuiltinArgs: a proxy build-arg in any case is set upper- and lower-case for RUN. */
  @Test
  void proxyBuildArgs_setBothCases_andStayOutOfTheKey() throws Exception {
    String text = "FROM busybox\nARG FOO\nRUN echo -n $HTTP_PROXY::$NO_PROXY::$FOO > /out\n";
    RunCommandStep step = run(plan(text, options(null, Map.of("FOO", "foocontents",
        "http_proxy", "hpvalue", "NO_PROXY", "npvalue")), busybox()), 0, 1);
    List<String> env = step.processEnv();
    for (String kv : List.of("HTTP_PROXY=hpvalue", "http_proxy=hpvalue", "NO_PROXY=npvalue",
        "no_proxy=npvalue", "FOO=foocontents")) {
      assertTrue(env.contains(kv), kv + " in " + env);
    }
    assertEquals(List.of("HTTP_PROXY=hpvalue", "http_proxy=hpvalue", "NO_PROXY=npvalue",
        "no_proxy=npvalue"), step.proxyEnv());
    assertFalse(step.env().contains("HTTP_PROXY=hpvalue"), step.env().toString());
    // An empty value sets nothing (proxyEnvList skips it); ENV of the same name is replaced.
    RunCommandStep empty = run(plan("FROM busybox\nENV https_proxy=env\nRUN x\n",
        options(null, Map.of("HTTPS_PROXY", "", "ftp_proxy", "f")), busybox()), 0, 1);
    assertEquals(List.of("FTP_PROXY=f", "ftp_proxy=f"), empty.proxyEnv());
    assertTrue(empty.processEnv().contains("https_proxy=env"), empty.processEnv().toString());
  }

  /** testDockerfileCheckHostname: BUILDKIT_SANDBOX_HOSTNAME is every RUN's hostname. */
  @Test
  void sandboxHostname_buildArg_setsTheHostnameAndTheKey() throws Exception {
    String text = "FROM busybox\nRUN cat /etc/hosts | grep foo\n";
    RunCommandStep plain = run(plan(text), 0, 0);
    RunCommandStep foo = run(plan(text, options(null,
        Map.of("BUILDKIT_SANDBOX_HOSTNAME", "foo")), busybox()), 0, 0);
    assertNull(plain.hostname());
    assertEquals("foo", foo.hostname());
    assertNotEquals(plain.cacheKey(), foo.cacheKey());
    assertNull(run(plan(text, options(null, Map.of("BUILDKIT_SANDBOX_HOSTNAME", "")),
        busybox()), 0, 0).hostname());
    BuildException e = planError(text, Map.of("BUILDKIT_SANDBOX_HOSTNAME", "a".repeat(65)));
    assertTrue(e.getMessage().contains("invalid BUILDKIT_SANDBOX_HOSTNAME"), e.getMessage());
  }

  /** testMountInvalid: unknown flags, keys and types, each with BuildKit's suggestion. */
  @Test
  void mountInvalid_keysAndTypes_areWordedAsBuildKit() throws Exception {
    DockerfileSyntaxException flag = assertThrows(DockerfileSyntaxException.class,
        () -> DockerfileParser.parse("FROM scratch\nRUN --mont=target=/mytmp,type=tmpfs "
            + "/bin/true\n", "Dockerfile"));
    assertTrue(flag.getMessage().contains("unknown flag: --mont"), flag.getMessage());
    assertTrue(flag.getMessage().contains("did you mean mount?"), flag.getMessage());
    BuildException key = planError("FROM scratch\nRUN --mount=typ=tmpfs /bin/true\n", Map.of());
    assertEquals("Dockerfile:2: unexpected key 'typ' in 'typ=tmpfs' (did you mean type?)",
        key.getMessage());
    BuildException type = planError("FROM scratch\nRUN --mount=type=tmp /bin/true\n",
        Map.of());
    assertEquals("Dockerfile:2: unsupported mount type \"tmp\" (did you mean tmpfs?)",
        type.getMessage());
    // Other checks of the same parseMount, fed bad input.
    for (String[] bad : new String[][] {
        {"type=bind,target=/a,size=1m", "unexpected key 'size' for mount type 'bind'"},
        {"type=tmpfs,target=/a,size=lots", "invalid value for size: lots"},
        {"type=tmpfs,target=/a,mode=0700", "mode not allowed for \"tmpfs\" type mounts"},
        {"type=cache,target=/a,uid=x", "invalid value x for uid"},
        {"type=cache,target=/a,ro=maybe", "invalid value for ro: maybe"},
        {"type=bind,target=/a,required", "unexpected key 'required' for mount type 'bind'"},
        {"type=bind,target=/a,sharing=locked", "invalid cache sharing set for bind mount"},
        {"type=cache,target", "invalid field 'target' must be a key=value pair"},
        {"type=secret,id=s,from=x", "secret mount should not have a from"},
        {"type=cache,target=/a,whatever=1", "unexpected key 'whatever' in 'whatever=1'"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RunMount.parse(bad[0], "/"), bad[0]);
      assertEquals(bad[1], e.getMessage(), bad[0]);
    }
  }

  /** testMountTmpfsSize: {@code size=} is docker's RAMInBytes (binary multiples). */
  @Test
  void tmpfsSize_isReadAsRamInBytes() {
    assertEquals(128L << 20, RunMount.parse("type=tmpfs,target=/dev/shm,size=128m", "/")
        .tmpfsSize());
    assertEquals(0, RunMount.parse("type=tmpfs,target=/t", "/").tmpfsSize());
    assertEquals(1536L << 20, RunMount.bytes("1.5GiB"));
    assertEquals(4096, RunMount.bytes("4096"));
    assertEquals(2048, RunMount.bytes("2 kB"));
    for (String bad : List.of("", "-1", "1x", "m", "99999999999999999999p")) {
      assertThrows(IllegalArgumentException.class, () -> RunMount.bytes(bad), bad);
    }
  }

  /** testMountFromError: {@code from=} is never expanded, so a variable there fails. */
  @Test
  void mountFrom_withAVariable_fails() {
    BuildException e = planError("FROM busybox AS test\nRUN touch /tmp/test\nFROM busybox\n"
        + "ENV ttt=test\nRUN --mount=from=$ttt,type=cache,target=/tmp ls\n", Map.of());
    assertEquals("Dockerfile:5: 'from' doesn't support variable expansion, define alias stage"
        + " instead", e.getMessage());
  }

  /** testOutOfOrderStage: COPY --from (and a mount's from=) a stage defined later. */
  @Test
  void fromALaterStage_isWordedAsBuildKit() {
    BuildException copy = planError("FROM busybox AS target\nCOPY --from=build / /out\n"
        + "FROM busybox AS build\nCOPY /Dockerfile /d2\nFROM target\n", Map.of());
    assertEquals("Dockerfile:2: cannot copy from stage \"build\", it needs to be defined"
        + " before current stage \"target\"", copy.getMessage());
    // By index, and from the stage itself (BuildKit: not yet dispatched either way).
    BuildException index = planError("FROM busybox\nRUN a\nFROM busybox AS me\n"
        + "COPY --from=1 / /out\n", Map.of());
    assertTrue(index.getMessage().contains("cannot copy from stage \"1\""), index.getMessage());
    BuildException mount = planError("FROM busybox AS a\nRUN --mount=from=later,target=/m ls\n"
        + "FROM busybox AS later\nFROM a\n", Map.of());
    assertEquals("Dockerfile:2: cannot mount from stage \"later\" to \"/m\", stage needs to be"
        + " defined before current command", mount.getMessage());
  }

  /** testCopyInvalidChmod, testAddInvalidChmod: numeric-looking values. */
  @Test
  void chmod_numericButNotOctal_isWordedAsBuildKit() {
    for (String bad : List.of("64a", "10000", "0888")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Chmod.parse(bad));
      assertEquals("invalid chmod parameter: '" + bad + "'. it should be octal string and"
          + " between 0 and 07777", e.getMessage());
    }
    assertEquals("00755", Chmod.parse("00755").toString());
    assertEquals(0755, Chmod.parse("00755").apply(0, false));
  }
}
