package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-place mode's runner, chroot'ed into a busybox root (in jbuild's executor image the root
 * is {@code /} and there is no chroot). Needs root for chroot and setuid; the no-namespace,
 * no-mount environment itself is covered by the executor-image test in samples.
 */
@Tag("root")
class InPlaceContainerRunnerTest {
  @TempDir static Path shared;
  static Path root;
  static InPlaceContainerRunner runner;

  record Result(ExitStatus status, String stdout, String stderr) {}

  @BeforeAll
  static void setUp() throws Exception {
    root = BusyboxRootfs.create(shared.resolve("root"));
    Files.createDirectories(root.resolve("proc"));
    Files.writeString(root.resolve("etc/hosts"), "127.0.0.1 localhost\n");
    runner = InPlaceContainerRunner.create(shared.resolve("state"), root, List.of());
  }

  static ContainerSpec.Builder spec(String... args) {
    return ContainerSpec.builder().inPlaceRoot(root).env(List.of("PATH=/bin")).args(args)
        .network(NetworkMode.HOST);
  }

  static Result run(ContainerSpec spec) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExitStatus status = runner.run(spec, out, err);
    return new Result(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void runsInTheRootAsTheUserInTheWorkingDirectory() throws Exception {
    Result r = run(spec("sh", "-c", "echo made > /made-in-place; id -u; pwd").build());
    assertEquals(0, r.status().exitCode(), r.stderr());
    assertEquals("0\n/\n", r.stdout());
    assertEquals("made\n", Files.readString(root.resolve("made-in-place")));

    Result nobody = run(spec("sh", "-c", "id -u; id -g; pwd").user("nobody")
        .workingDir("/data/keep").build());
    assertEquals("65534\n65534\n/data/keep\n", nobody.stdout(), nobody.stderr());
  }

  @Test
  void exitCodesComeBack() throws Exception {
    assertEquals(7, run(spec("sh", "-c", "exit 7").build()).status().exitCode());
  }

  @Test
  void whatTheCommandLeftRunningIsKilled() throws Exception {
    // Without a PID namespace nothing ends a daemon with the step: rrun, a subreaper, kills it.
    Result r = run(spec("sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!").build());
    long pid = Long.parseLong(r.stdout().trim());
    assertTrue(pid > 1, r.stdout());
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
        "the step's background sleep (pid " + pid + ") must be gone");
  }

  @Test
  void whatTheModeCannotHonour_isAnErrorNamingTheMode() {
    RunnerException limits = assertThrows(RunnerException.class, () -> run(
        spec("true").limits(new ResourceLimits(64 << 20, 0, 0, 0)).build()));
    assertTrue(limits.getMessage().contains("in-place mode cannot limit memory"),
        limits.getMessage());
    RunnerException none = assertThrows(RunnerException.class, () -> run(
        spec("true").network(NetworkMode.NONE).build()));
    assertTrue(none.getMessage().contains("in-place mode cannot isolate the network"),
        none.getMessage());
    RunnerException other = assertThrows(RunnerException.class, () -> run(
        ContainerSpec.builder().inPlaceRoot(shared).args("true").build()));
    assertTrue(other.getMessage().contains("not for this runner's root"), other.getMessage());
    for (Sandbox sandbox : List.of(
        new Sandbox(List.of(new Sandbox.Host("db", "10.0.0.7")), 0, List.of()),
        new Sandbox(List.of(), 1 << 20, List.of()))) {
      RunnerException refused = assertThrows(RunnerException.class, () -> run(
          spec("true").sandbox(sandbox).build()));
      assertTrue(refused.getMessage().contains("in-place mode cannot give a step its own"
          + " /etc/hosts or /dev/shm"), refused.getMessage());
    }
  }

  @Test
  void rlimits_holdInPlaceToo() throws Exception {
    Result r = run(spec("sh", "-c", "ulimit -n; ulimit -Hn").sandbox(new Sandbox(List.of(), 0,
        List.of(Sandbox.Rlimit.parse("nofile=321:654")))).build());
    assertEquals("321\n654\n", r.stdout());
  }

  @Test
  void hostPathsAreTheContainersOwnThatExist() {
    // A kept path keeps its parents through a wipe, so only what is there is kept.
    assertTrue(runner.hostPaths().containsAll(List.of("proc", "etc/hosts")),
        runner.hostPaths().toString());
    assertFalse(runner.hostPaths().contains("run/secrets"), runner.hostPaths().toString());
  }
}
