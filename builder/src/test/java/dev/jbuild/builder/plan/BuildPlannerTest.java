package dev.jbuild.builder.plan;

import static dev.jbuild.builder.plan.PlanFixtures.busybox;
import static dev.jbuild.builder.plan.PlanFixtures.options;
import static dev.jbuild.builder.plan.PlanFixtures.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.ImageConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link BuildPlanner}: stage selection, labels, scoping, ONBUILD and step contents. */
class BuildPlannerTest {
  private static List<String> labels(StagePlan stage) {
    return stage.steps().stream().map(s -> s.header().label()).toList();
  }

  @Test
  void plan_numbersFilesystemStepsLikeBuildKit() throws Exception {
    StagePlan stage = plan("FROM busybox\nWORKDIR /app\nENV A=1\nCOPY . /app\n"
        + "RUN make \\\n  all\nCMD [\"x\"]\n").target();
    assertEquals("[1/4] FROM busybox", stage.from().header().label());
    assertEquals(List.of("[2/4] WORKDIR /app", "ENV A=1", "[3/4] COPY . /app",
        "[4/4] RUN make all", "CMD [\"x\"]"), labels(stage));
    assertFalse(stage.steps().get(1).header().numbered());
    assertInstanceOf(MakeWorkdirStep.class, stage.steps().get(0));
    assertInstanceOf(ChangeConfigStep.class, stage.steps().get(1));
    assertInstanceOf(CopyFilesStep.class, stage.steps().get(2));
    assertInstanceOf(RunCommandStep.class, stage.steps().get(3));
  }

  @Test
  void plan_buildsOnlyTheStagesTheTargetNeeds() throws Exception {
    String text = "FROM busybox AS base\nRUN a\nFROM alpine AS other\nRUN b\n"
        + "FROM base AS final\nRUN c\n";
    BuildPlan plan = plan(text);
    assertEquals(List.of(0, 2), plan.stages().stream().map(StagePlan::index).toList());
    assertEquals(new FromBaseStep.Stage(0), plan.target().from().base());
    assertTrue(plan.target().from().header().label().startsWith("[final 1/2]"));

    BuildPlan other = plan(text, options("other", Map.of()), busybox());
    assertEquals(1, other.stages().size());
    assertInstanceOf(FromBaseStep.Image.class, other.target().from().base());
    assertEquals(1, plan(text, options("1", Map.of()), busybox()).target().index());
  }

  @Test
  void plan_fromFindsAStageByItsExpandedName() throws Exception {
    // testPlatformArgsImplicit: FROM build-${TARGETOS} is the stage build-linux, not an image.
    BuildPlan plan = plan("FROM scratch AS build-linux\nCOPY a b\nFROM build-${TARGETOS}\n"
        + "COPY c d\n");
    assertEquals(new FromBaseStep.Stage(0), plan.target().from().base());
    assertEquals(java.util.Set.of(0), plan.target().dependencies());
  }

  @Test
  void exposePorts_ofIpAndHostPortMappings_areTheContainerPorts() {
    // testExposeInvalidFormat: BuildKit exposes the container port and its linter warns.
    assertEquals(List.of("80/tcp"), Ports.parse("127.0.0.1:80:80"));
    assertEquals(List.of("8080/udp"), Ports.parse("[::1]:8080:8080/UDP"));
    assertEquals(List.of("5000/tcp", "5001/tcp"), Ports.parse("6000-6001:5000-5001"));
    assertEquals("invalid hostPort: x",
        assertThrows(IllegalArgumentException.class, () -> Ports.parse("x:80")).getMessage());
    assertEquals("invalid containerPort: 80x",
        assertThrows(IllegalArgumentException.class, () -> Ports.parse("1:80x")).getMessage());
  }

  @Test
  void plan_unknownTarget_isAnError() {
    BuildException e = assertThrows(BuildException.class,
        () -> plan("FROM busybox\n", options("nope", Map.of()), busybox()));
    assertEquals("target stage \"nope\" could not be found", e.getMessage());
  }

  @Test
  void plan_expandsFromWithGlobalArgsAndTheEscapeToken() throws Exception {
    BuildPlan plan = plan("# escape=`\nARG BASE=busybox\nFROM $BASE\nRUN a `\n b\n");
    assertEquals("[1/2] FROM busybox", plan.target().from().header().label());
    assertEquals("[2/2] RUN a b", plan.target().steps().get(0).header().label());
  }

  @Test
  void run_carriesArgvEnvUserWorkdirAndTheBuildArgPrefix() throws Exception {
    BuildPlan plan = plan("FROM busybox\nARG V=1\nENV E=x\nUSER nobody\nWORKDIR /w\n"
        + "RUN --network=host echo $V\n", options(null, Map.of("V", "2",
            "HTTP_PROXY", "http://p:1")), busybox());
    RunCommandStep run = (RunCommandStep) plan.target().steps().get(4);
    assertEquals(List.of("/bin/sh", "-c", "echo $V"), run.argv());
    assertEquals(List.of("HTTP_PROXY=http://p:1", "V=2", "PATH="
        + "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "E=x"), run.env());
    assertEquals("nobody", run.user());
    assertEquals("/w", run.workingDir());
    assertEquals(NetworkPolicy.HOST, run.network());
    // History shows declared args with their values; the proxy stays out.
    assertEquals("RUN |1 V=2 /bin/sh -c echo $V # buildkit", run.header().createdBy());
  }

  /** moby/buildkit dockerfile_history_test.go testExportedHistoryFlattenArgs. */
  @Test
  void run_historyListsARedeclaredArgOnce_atItsFirstPlace_withItsLastValue() throws Exception {
    BuildPlan plan = plan("FROM busybox\nARG foo=bar\nARG bar=123\nARG foo=bar2\nRUN ls /etc/\n");
    RunCommandStep run = (RunCommandStep) plan.target().steps().get(3);
    assertEquals("RUN |2 foo=bar2 bar=123 /bin/sh -c ls /etc/ # buildkit",
        run.header().createdBy());
    // ENV wins over the ARG's value, in the ARG's place; the args' history entries stay three.
    plan = plan("FROM busybox\nARG foo=bar\nARG bar=123\nENV foo=env\nARG foo=bar2\nRUN ls\n");
    run = (RunCommandStep) plan.target().steps().get(4);
    assertEquals("RUN |2 foo=env bar=123 /bin/sh -c ls # buildkit", run.header().createdBy());
    assertEquals(List.of("ARG foo=bar", "ARG bar=123", "ENV foo=env", "ARG foo=bar2"),
        plan.target().steps().subList(0, 4).stream().map(s -> s.header().createdBy()).toList());
  }

  @Test
  void argScoping_globalArgNeedsRedeclaringAndStageArgsReachChildStagesOnly() throws Exception {
    BuildPlan plan = plan("ARG G=global\nFROM busybox AS a\nARG S=stage\nRUN echo\n"
        + "FROM busybox AS sibling\nRUN echo\nFROM a\nARG G\nRUN echo\n");
    RunCommandStep child = (RunCommandStep) plan.target().steps().get(1);
    assertTrue(child.env().contains("S=stage"), child.env().toString());
    assertTrue(child.env().contains("G=global"), child.env().toString());
    // The child inherits S's value, not its declaration: only G is in the history prefix.
    assertEquals("RUN |1 G=global /bin/sh -c echo # buildkit", child.header().createdBy());
    assertEquals(List.of(0, 2), plan.stages().stream().map(StagePlan::index).toList());
  }

  @Test
  void onbuild_triggersOfTheBaseRunAfterFromAndAreNotInherited() throws Exception {
    ImageConfig base = busybox().withContainerConfig(busybox().containerConfig().toBuilder()
        .onBuild(List.of("RUN echo trig", "ENV T=1")).build());
    StagePlan stage = plan("FROM busybox\nRUN echo mine\n", options(null, Map.of()), base)
        .target();
    assertEquals(List.of("ONBUILD RUN echo trig", "ONBUILD ENV T=1", "[2/2] RUN echo mine"),
        labels(stage));
    assertNull(stage.from().header().config().onBuild());
    assertTrue(stage.steps().get(1).header().config().envMap().containsKey("T"));
    assertEquals(1, stage.steps().get(0).header().line());
  }

  @Test
  void onbuild_inTheDockerfileChangesOnlyTheConfig() throws Exception {
    Step step = plan("FROM busybox\nONBUILD RUN x\n").target().steps().get(0);
    assertNull(step.header().createdBy());
    assertEquals(List.of("RUN x"), step.header().config().onBuild());
  }

  @Test
  void config_entrypointDropsAnInheritedCmdButNotOneSetInTheStage() throws Exception {
    ContainerConfig inherited = plan("FROM busybox\nENTRYPOINT [\"a\"]\n").target().steps()
        .get(0).header().config();
    assertNull(inherited.cmd());
    ContainerConfig own = plan("FROM busybox\nCMD [\"c\"]\nENTRYPOINT [\"a\"]\n").target()
        .steps().get(1).header().config();
    assertEquals(List.of("c"), own.cmd());
  }

  @Test
  void env_expandsAgainstTheEnvironmentBeforeTheInstruction() throws Exception {
    ContainerConfig c = plan("FROM busybox\nENV A=old\nENV A=new B=$A\n").target().steps()
        .get(1).header().config();
    assertEquals("old", c.envMap().get("B"));
    assertEquals("ENV A=new B=old", plan("FROM busybox\nENV A=old\nENV A=new B=$A\n")
        .target().steps().get(1).header().createdBy());
  }

  @Test
  void copy_resolvesStagesAndImagesAndTheDestination() throws Exception {
    BuildPlan plan = plan("FROM busybox AS b\nRUN x\nFROM busybox\nWORKDIR /app\n"
        + "COPY --from=b /x .\nCOPY --from=other/image:1 /y y/\nCOPY <<EOF a.txt\nhi $HOME\nEOF\n");
    List<Step> steps = plan.target().steps();
    CopyFilesStep fromStage = (CopyFilesStep) steps.get(1);
    assertEquals(new FileOrigin.Stage(0, "b"), fromStage.origin());
    assertEquals("/app/", fromStage.destination());
    assertEquals("COPY /x . # buildkit", fromStage.header().createdBy());
    CopyFilesStep fromImage = (CopyFilesStep) steps.get(2);
    assertEquals("image other/image:1", fromImage.origin().describe());
    assertEquals("/app/y/", fromImage.destination());
    CopyFilesStep heredoc = (CopyFilesStep) steps.get(3);
    assertEquals(List.of(new InlineFile("EOF", "hi \n")), heredoc.inlineFiles());
    assertEquals(java.util.Set.of(0), plan.target().dependencies());
  }

  /** The inline files of every COPY step of the target, in order. */
  private static List<String> heredocFiles(BuildPlan plan) {
    List<String> contents = new java.util.ArrayList<>();
    for (Step step : plan.target().steps()) {
      if (step instanceof CopyFilesStep copy) {
        for (InlineFile f : copy.inlineFiles()) {
          contents.add(f.content());
        }
      }
    }
    return contents;
  }

  @Test
  void copyHeredoc_quotesKeptAndExpandedInside() throws Exception {
    // BuildKit dockerfile_heredoc_test.go testHeredocVarSubstitution (the COPY cases): an unquoted
    // delimiter expands ${name} also between quotes and keeps the quotes; a quoted one expands
    // nothing.
    BuildPlan plan = plan("FROM busybox\nARG name=world\n"
        + "COPY <<EOF /dest/c1\nHello ${name}!\nEOF\n"
        + "COPY <<'EOF' /dest/c2\nHello ${name}!\nEOF\n"
        + "COPY <<\"EOF\" /dest/c3\nHello ${name}!\nEOF\n"
        + "COPY <<EOF /dest/q1\nHello '${name}'!\nEOF\n"
        + "COPY <<EOF /dest/q2\nHello \"${name}\"!\nEOF\n"
        + "COPY <<'EOF' /dest/qsingle1\nHello '${name}'!\nEOF\n"
        + "COPY <<'EOF' /dest/qsingle2\nHello \"${name}\"!\nEOF\n"
        + "COPY <<\"EOF\" /dest/qdouble1\nHello '${name}'!\nEOF\n"
        + "COPY <<\"EOF\" /dest/qdouble2\nHello \"${name}\"!\nEOF\n");

    assertEquals(List.of("Hello world!\n", "Hello ${name}!\n", "Hello ${name}!\n",
        "Hello 'world'!\n", "Hello \"world\"!\n", "Hello '${name}'!\n", "Hello \"${name}\"!\n",
        "Hello '${name}'!\n", "Hello \"${name}\"!\n"), heredocFiles(plan));
  }

  @Test
  void copyHeredoc_specialSymbols() throws Exception {
    // BuildKit dockerfile_heredoc_test.go testCopyHeredocSpecialSymbols.
    BuildPlan plan = plan("FROM scratch\n"
        + "COPY <<EOF quotefile\n\"quotes in file\"\nEOF\n"
        + "COPY <<EOF slashfile1\n\\\nEOF\n"
        + "COPY <<EOF slashfile2\n\\\\\nEOF\n"
        + "COPY <<EOF slashfile3\n\\$\nEOF\n"
        + "COPY <<\"EOF\" rawslashfile1\n\\\nEOF\n"
        + "COPY <<\"EOF\" rawslashfile2\n\\\\\nEOF\n"
        + "COPY <<\"EOF\" rawslashfile3\n\\$\nEOF\n");

    assertEquals(List.of("\"quotes in file\"\n", "\n", "\\\n", "$\n", "\\\n", "\\\\\n",
        "\\$\n"), heredocFiles(plan));
  }

  @Test
  void copyHeredoc_backtickEscapeFile_bodyStillUsesBackslash() throws Exception {
    // dockerfile2llb ExpandRaw always lexes heredoc bodies with shell.NewLex('\\').
    BuildPlan plan = plan("# escape=`\nFROM scratch\nARG v=x\nCOPY <<EOF f\n`$v \\$v '$v'\nEOF\n");

    assertEquals(List.of("`x $v 'x'\n"), heredocFiles(plan));
  }

  @Test
  void errors_areLocatedAtTheirLine() {
    BuildException e = assertThrows(BuildException.class,
        () -> plan("FROM busybox\nRUN --network=bogus x\n"));
    assertEquals("Dockerfile:2: unsupported network mode \"bogus\" (expected default, none or "
        + "host)", e.getMessage());
    BuildException missing = assertThrows(BuildException.class,
        () -> plan("FROM busybox\nENV X=${NOPE:?required}\n"));
    assertTrue(missing.getMessage().startsWith("Dockerfile:2: "), missing.getMessage());
    BuildException port = assertThrows(BuildException.class,
        () -> plan("FROM busybox\nARG P=nope\nEXPOSE $P\n"));
    assertTrue(port.getMessage().startsWith("Dockerfile:3: EXPOSE $P: "), port.getMessage());
  }

  @Test
  void noStages_isAClearError() {
    BuildException e = assertThrows(BuildException.class, () -> plan("ARG A=1\n"));
    assertEquals("Dockerfile: dockerfile contains no stages to build (it needs a FROM line)",
        e.getMessage());
  }
}
