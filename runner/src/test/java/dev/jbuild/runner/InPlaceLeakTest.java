package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a PID namespace (in-place mode C, and rootless mode D's {@code boundProc}, which share
 * rrun's stage-1 code) nothing but rrun ends what a step started. These tests start daemons that
 * leave the step's session and process group ({@code setsid}, with children of their own),
 * then SIGKILL rrun or the whole JVM, and check that no process of the step survives. Runs the
 * in-place runner chroot'ed into a busybox root, which needs root.
 */
@Tag("root")
class InPlaceLeakTest {
  /** Markers no other process on the machine has in its command line. */
  private static final String DAEMON = "sleep 60019";
  private static final String GRANDCHILD = "sleep 60023";

  /** A daemon in its own session with a child, a plain background job, a foreground sleep. */
  private static final String STEP = "setsid sh -c '" + GRANDCHILD + " & " + DAEMON
      + "; :' >/dev/null 2>&1 & " + DAEMON + " >/dev/null 2>&1 & echo started; " + DAEMON;

  @TempDir static Path shared;
  static Path root;

  @BeforeAll
  static void setUp() throws Exception {
    root = BusyboxRootfs.create(shared.resolve("root"));
    Files.createSymbolicLink(root.resolve("bin/setsid"), Path.of("busybox"));
    Files.createDirectories(root.resolve("proc"));
    // The shell opens /dev/null for background jobs; in place nothing mounts a /dev for it.
    Path dev = Files.createDirectories(root.resolve("dev"));
    Process mknod = new ProcessBuilder("mknod", "-m", "666", dev.resolve("null").toString(), "c",
        "1", "3").inheritIO().start();
    assertEquals(0, mknod.waitFor(), "mknod /dev/null");
  }

  @AfterEach
  void killSurvivors() throws IOException {
    // A failed test must not leave its sleeps to the next one (or to the machine).
    for (long pid : pids(DAEMON, GRANDCHILD)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void killedRrun_leavesNoProcessOfTheStep() throws Exception {
    InPlaceContainerRunner runner = InPlaceContainerRunner.create(shared.resolve("state-rrun"),
        root, List.of());
    CountDownLatch started = new CountDownLatch(1);
    OutputStream out = new OutputStream() {
      private final StringBuilder seen = new StringBuilder();

      @Override
      public void write(int b) {
        seen.append((char) b);
        if (seen.indexOf("started") >= 0) {
          started.countDown();
        }
      }
    };
    ContainerSpec spec = ContainerSpec.builder().inPlaceRoot(root).env(List.of("PATH=/bin"))
        .network(NetworkMode.HOST).args("sh", "-c", STEP).build();
    CompletableFuture<ExitStatus> run = CompletableFuture.supplyAsync(() -> {
      try {
        return runner.run(spec, out, OutputStream.nullOutputStream(), Duration.ofSeconds(60));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    assertTrue(started.await(30, TimeUnit.SECONDS), "the step started");
    awaitCount(DAEMON, 3);
    awaitCount(GRANDCHILD, 1);

    List<ProcessHandle> rrun = ProcessHandle.current().children()
        .filter(p -> p.info().command().orElse("").contains("rrun-")).toList();
    assertEquals(1, rrun.size(), "one rrun (stage 0) is this JVM's child: " + rrun);
    rrun.get(0).destroyForcibly(); // SIGKILL: rrun cannot clean up itself

    // The runner reports the lost helper; by then its stage 1 has killed the whole step.
    ExitStatus status = run.handle((s, e) -> s).get(60, TimeUnit.SECONDS);
    assertFalse(status != null && status.success(), String.valueOf(status));
    awaitGone();
    assertEquals(List.of(), pids(DAEMON, GRANDCHILD), "no process of the step survives");
  }

  @Test
  void killedJvm_leavesNoProcessOfTheStep() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process jvm = new ProcessBuilder(java.toString(), "-cp",
        System.getProperty("java.class.path"), InPlaceLeakChild.class.getName(),
        shared.resolve("state-jvm").toString(), root.toString(), STEP)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("started", out.readLine());
      awaitCount(DAEMON, 3);
      awaitCount(GRANDCHILD, 1);
      jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs; rrun's PDEATHSIG follows
      assertTrue(jvm.waitFor(30, TimeUnit.SECONDS));
    } finally {
      jvm.destroyForcibly();
    }
    awaitGone();
    assertEquals(List.of(), pids(DAEMON, GRANDCHILD), "no process of the step survives");
  }

  /**
   * A step that ends as soon as its daemon has a child (the daemon's /up file): both go, and run
   * returns (an earlier reaping loop waited for the reparented grandchild forever).
   */
  @Test
  void daemonWithAChild_isKilledWhenTheStepEnds() throws Exception {
    InPlaceContainerRunner runner = InPlaceContainerRunner.create(shared.resolve("state-end"),
        root, List.of());
    ContainerSpec spec = ContainerSpec.builder().inPlaceRoot(root).env(List.of("PATH=/bin"))
        .network(NetworkMode.HOST).args("sh", "-c", "setsid sh -c '" + GRANDCHILD
            + " & touch /up; " + DAEMON
            + "; :' >/dev/null 2>&1 & until [ -e /up ]; do sleep 1; done; rm /up; echo up")
        .build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // The timeout only guards against a hang (the old reaping waited for the grandchild).
    ExitStatus status = runner.run(spec, out, OutputStream.nullOutputStream(),
        Duration.ofSeconds(60));
    assertEquals(0, status.exitCode(), status.toString());
    assertEquals("up\n", out.toString(StandardCharsets.UTF_8));
    assertEquals(List.of(), pids(DAEMON, GRANDCHILD), "no process of the step survives");
  }

  private static void awaitCount(String marker, int n) throws Exception {
    for (int i = 0; i < 1000 && pids(marker).size() < n; i++) {
      Thread.sleep(10);
    }
    assertEquals(n, pids(marker).size(), marker + " processes running");
  }

  /** Stage 1 kills asynchronously after rrun's death; give the kernel time to deliver it. */
  private static void awaitGone() throws Exception {
    for (int i = 0; i < 1000 && !pids(DAEMON, GRANDCHILD).isEmpty(); i++) {
      Thread.sleep(10);
    }
  }

  private static List<Long> pids(String... markers) throws IOException {
    List<Long> found = new ArrayList<>();
    try (var s = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (!name.matches("[0-9]+")) {
          continue;
        }
        try {
          String cmdline = Files.readString(p.resolve("cmdline"), StandardCharsets.ISO_8859_1)
              .replace('\0', ' ').trim();
          for (String marker : markers) {
            if (cmdline.equals(marker)) {
              found.add(Long.parseLong(name));
            }
          }
        } catch (IOException e) {
          // Exited while we looked.
        }
      }
    }
    return found;
  }
}
