package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build stopped by a real signal (issue 17 item 6), as root: SIGINT and SIGTERM print one
 * "build canceled" line naming the scratch dirs removed, exit 130 and leave no {@code
 * <store>/tmp/run-N} and no step process; after SIGKILL (nothing can clean up) {@code prune}
 * sweeps the dead process's scratch dir but never one a live process holds. Also {@code jbuild
 * run img /nonexistent}: one line, exit 127 (item 9).
 */
@Tag("root")
class CancelIntegrationTest {
  @TempDir static Path work;
  static Jbuild jbuild;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void baseImage() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
  }

  @AfterEach
  void killLeftovers() throws Exception {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  @Test
  void sigint_printsBuildCanceled_exits130_leavesNoScratchDir() throws Exception {
    assertCanceledCleanly("INT", "987601");
  }

  @Test
  void sigterm_printsBuildCanceled_exits130_leavesNoScratchDir() throws Exception {
    assertCanceledCleanly("TERM", "987602");
  }

  @Test
  void sigkill_leavesAScratchDirThatPruneSweeps_butNotALiveOne() throws Exception {
    Path ctx = context("987603");
    Process build = startBuild(ctx, work.resolve("kill.err"));
    awaitStep("987603", build);
    signal("KILL", build.pid());
    assertEquals(137, build.waitFor());
    awaitNoStep("987603");
    List<Path> left = runDirs();
    assertEquals(1, left.size(), "SIGKILL cannot clean up, so its scratch dir stays: " + left);
    // A scratch dir of a live process (this one), locked as a running step's is.
    try (dev.jbuild.layerstore.TempDir live = LayerStore.open(jbuild.root()).newTempDir("run-")) {
      jbuild.run("prune").assertSuccess();
      assertEquals(List.of(live.path()), runDirs());
    }
    assertEquals(List.of(), runDirs());
  }

  @Test
  void run_missingCommand_isOneLine_exit127() throws Exception {
    Jbuild.Result r = jbuild.run("run", "--rm", "--network", "none", "localbase/busybox:1",
        "/nonexistent");
    assertEquals(127, r.exitCode(), r.stderr());
    assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
    assertTrue(r.stderr().startsWith("error: ") && r.stderr().contains("/nonexistent"),
        r.stderr());
    assertFalse(r.stderr().contains("rrun:"), r.stderr());
  }

  private void assertCanceledCleanly(String signal, String token) throws Exception {
    Path ctx = context(token);
    Path errFile = work.resolve(signal + ".err");
    Process build = startBuild(ctx, errFile);
    awaitStep(token, build);
    assertEquals(1, runDirs().size(), "the running step's scratch dir");
    Path runDir = runDirs().get(0);
    signal(signal, build.pid());
    int code = build.waitFor();
    String err = Files.readString(errFile, StandardCharsets.UTF_8);
    assertEquals(130, code, err);
    String last = err.strip().lines().reduce((a, b) -> b).orElse("");
    assertEquals("build canceled (removed 1 scratch directory: " + runDir + ")", last, err);
    assertFalse(err.contains("error:"), err);
    assertEquals(List.of(), runDirs());
    awaitNoStep(token);
  }

  /** A build whose RUN step waits until it is killed; {@code token} names its process. */
  private static Path context(String token) throws IOException {
    Path ctx = Files.createDirectories(work.resolve("ctx-" + token));
    Files.writeString(ctx.resolve("Dockerfile"),
        "FROM localbase/busybox:1\nRUN sleep " + token + "\n");
    return ctx;
  }

  private Process startBuild(Path ctx, Path errFile) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        // A JVM whose SIGINT was ignored when it started (a background job) never sees it.
        "env", "--default-signal=INT,TERM",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.jbuild.builder.cli.Main",
        "--root", jbuild.root().toString(), "build", "--progress=plain", "--network=none",
        ctx.toString()));
    Process p = new ProcessBuilder(cmd)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(errFile.toFile())
        .start();
    started.add(p);
    return p;
  }

  private static void signal(String name, long pid) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO()
        .start().waitFor());
  }

  /** Waits (no time limit but the build's own end) until the step's process runs. */
  private static void awaitStep(String token, Process build) throws Exception {
    while (!stepRunning(token)) {
      if (build.waitFor(100, TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the build ended (" + build.exitValue() + ") before its step ran");
      }
    }
  }

  private static void awaitNoStep(String token) throws Exception {
    // The step's container dies with rrun; its init may take a moment to be reaped.
    for (int i = 0; i < 600 && stepRunning(token); i++) {
      Thread.sleep(100);
    }
    assertFalse(stepRunning(token), "the step's process outlived the build");
  }

  private static boolean stepRunning(String token) throws IOException {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
        try {
          return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
              .equals("sleep\0" + token + "\0");
        } catch (IOException e) {
          return false; // exited meanwhile
        }
      });
    }
  }

  private static List<Path> runDirs() throws IOException {
    Path tmp = jbuild.root().resolve("tmp");
    if (!Files.isDirectory(tmp)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(tmp)) {
      return s.filter(p -> p.getFileName().toString().startsWith("run-")).sorted().toList();
    }
  }
}
