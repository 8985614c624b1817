package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 in the middle of save, load, a build's diff and prune, several times each at random
 * points, and check after every kill that {@code jbuild verify} finds a clean store (leftovers
 * of the killed process are allowed: they are invisible to readers and prune removes them), and
 * at the end that a build and a run still work and prune leaves nothing behind.
 */
@Tag("root")
class CrashSafetyIntegrationTest {
  private static final int ROUNDS = 3;

  @TempDir Path work;

  /** Starts the real CLI in a child JVM and SIGKILLs it after {@code millis}. */
  private static boolean killAfter(Jbuild jbuild, long millis, String... args) throws Exception {
    List<String> cmd = jbuild.command();
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    boolean finished = p.waitFor(millis, TimeUnit.MILLISECONDS);
    System.err.println("crash test: " + args[0] + (finished ? " finished before" : " killed at")
        + " " + millis + " ms");
    if (!finished) {
      p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
      p.waitFor();
    }
    // Children of the killed JVM (the runner helper) die with it (PDEATHSIG); give them a moment.
    Thread.sleep(100);
    return !finished;
  }

  private static long timed(Jbuild jbuild, String... args) throws Exception {
    long start = System.nanoTime();
    jbuild.run(args).assertSuccess();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private static void assertClean(Jbuild jbuild, String after) throws Exception {
    Jbuild.Result verify = jbuild.run("verify");
    assertEquals(0, verify.exitCode(), "after a kill during " + after + ":\n" + verify.stdout()
        + verify.stderr());
    assertTrue(verify.stdout().contains("Store is clean"), verify.stdout());
    String leftovers = verify.stdout().lines().filter(l -> l.contains("leftovers"))
        .findFirst().orElse("no leftovers");
    System.err.println("crash test: verify after " + after + ": clean; " + leftovers);
  }

  @Test
  void killDuringSaveLoadDiffAndPrune_leavesAConsistentStore() throws Exception {
    // The full JIT: these commands hash 64 MiB several times (C1 has no SHA intrinsics).
    Jbuild jbuild = new Jbuild(work.resolve("store"), CliJvm.Jit.FULL);
    jbuild.importBusybox(work, "crash/base:1");
    // A base with enough data that each operation takes a while.
    Path rootfs = Files.createDirectories(work.resolve("big/data"));
    Random random = new Random(42);
    for (int i = 0; i < 8; i++) {
      byte[] chunk = new byte[8 << 20];
      random.nextBytes(chunk);
      try (OutputStream out = Files.newOutputStream(rootfs.resolve("chunk" + i))) {
        out.write(chunk);
      }
    }
    Path ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM crash/base:1\nCOPY big /big\n"
        + "RUN cat /big/data/chunk* > /all && rm /big/data/chunk0\n");
    Files.move(work.resolve("big"), ctx.resolve("big"));
    long build = timed(jbuild, "build", "-t", "crash/app:1", ctx.toString());
    Path archive = work.resolve("app.tar");
    long save = timed(jbuild, "save", "-o", archive.toString(), "crash/app:1");
    Jbuild loader = new Jbuild(work.resolve("store-load"), CliJvm.Jit.FULL);
    long load = timed(loader, "load", "-i", archive.toString());
    assertClean(jbuild, "nothing");

    Random when = new Random(7);
    int kills = 0;
    for (int round = 0; round < ROUNDS; round++) {
      // save: the archive is written to a temp file and renamed; the store is only read.
      kills += killAfter(jbuild, 300 + when.nextInt((int) save), "save", "-o",
          work.resolve("partial.tar").toString(), "crash/app:1") ? 1 : 0;
      assertClean(jbuild, "save");
      assertTrue(!Files.exists(work.resolve("partial.tar"))
          || Files.size(work.resolve("partial.tar")) == Files.size(archive));

      // load into another store, so each round loads everything again.
      loader.run("rmi", "crash/app:1");
      loader.run("prune", "--all").assertSuccess();
      kills += killAfter(loader, 300 + when.nextInt((int) load), "load", "-i",
          archive.toString()) ? 1 : 0;
      assertClean(loader, "load");

      // diff: a build whose RUN step writes a large layer (--no-cache: always diffed).
      kills += killAfter(jbuild, 500 + when.nextInt((int) build), "build", "--no-cache", "-t",
          "crash/app:2", ctx.toString()) ? 1 : 0;
      assertClean(jbuild, "build");

      // prune: garbage to collect first (an untagged image and its layers).
      jbuild.run("rmi", "crash/app:2");
      kills += killAfter(jbuild, 200 + when.nextInt(1500), "prune", "--all") ? 1 : 0;
      assertClean(jbuild, "prune");
    }
    assertTrue(kills >= ROUNDS, "only " + kills + " operations were killed midway");

    // Everything still works afterwards.
    jbuild.run("build", "-t", "crash/app:3", ctx.toString()).assertSuccess();
    Jbuild.Result run = jbuild.run("run", "--rm", "crash/app:3", "sh", "-c",
        "wc -c < /all; ls /big/data | wc -l").assertSuccess();
    assertEquals(List.of(Integer.toString(64 << 20), "7"), run.stdout().strip().lines()
        .map(String::strip).toList());
    loader.run("load", "-i", archive.toString()).assertSuccess();
    loader.run("run", "--rm", "crash/app:1", "true").assertSuccess();
    jbuild.run("prune").assertSuccess();
    Jbuild.Result verify = jbuild.run("verify").assertSuccess();
    assertTrue(!verify.stdout().contains("leftovers"), "prune left leftovers:\n"
        + verify.stdout());
  }
}
