package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's robustness check: 200 runs in a row — succeeding, failing, OOM-killed, signalled,
 * timed out, leaving orphans, on the bridge network — and then a JVM killed with -9 in the
 * middle of a run leave no mounts, cgroups, network namespaces, veths, iptables rules or
 * processes behind, once a new runner has swept the dead JVM's leftovers. Needs root.
 */
@Tag("root")
class RunnerLeakTest {
  @TempDir Path tmp;

  @Test
  void manyRunsAndAKilledJvm_leaveNothingBehind() throws Exception {
    Path lower = BusyboxRootfs.create(tmp.resolve("lower"));
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path state = tmp.resolve("state");
    long self = ProcessHandle.current().pid();
    int[] kinds = new int[10];
    long start = System.nanoTime();
    try (ContainerRunner runner = ContainerRunner.create(state)) {
      for (int i = 0; i < 200; i++) {
        ContainerSpec.Builder spec = ContainerSpec.builder().lowerDirs(List.of(lower))
            .upperDir(upper).workDir(work).env(List.of("PATH=/bin"));
        int kind = i % 10;
        kinds[kind]++;
        ExitStatus status;
        switch (kind) {
          case 5:
            status = run(runner, spec.args("sh", "-c", "exit 3"));
            assertEquals(3, status.exitCode());
            break;
          case 6:
            status = run(runner, spec.args("sh", "-c", "x=y; while true; do x=$x$x; done")
                .limits(ResourceLimits.of(16L << 20, 0)));
            assertTrue(status.oomKilled(), status.toString());
            break;
          case 7:
            status = run(runner, spec.args("sh", "-c", "kill -9 $$"));
            assertEquals(9, status.signal());
            break;
          case 8:
            status = run(runner, spec.args("true").network(NetworkMode.BRIDGE));
            assertEquals(0, status.exitCode());
            break;
          case 9:
            // Orphans outlive the command; PID 1's exit and the cgroup must take them along.
            status = run(runner, spec.args("sh", "-c", "sleep 60017 & sleep 60017 & exit 0")
                .limits(new ResourceLimits(0, 20_000, 0, 10)));
            assertEquals(0, status.exitCode());
            break;
          default:
            if (i == 42) {
              assertThrows(RunnerException.class, () -> runner.run(spec.args("sleep", "60017")
                  .build(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream(),
                  Duration.ofMillis(100)));
            } else {
              assertTrue(run(runner, spec.args("true")).success());
            }
        }
      }
    }
    System.out.printf("200 mixed runs: %.1f ms average%n", (System.nanoTime() - start) / 1e6 / 200);

    long child = runAndKillChildJvm(state, lower, upper, work);
    List<String> leftByChild = leftovers(child);
    assertFalse(leftByChild.isEmpty(), "the killed JVM left something for the sweep to find");

    List<String> swept;
    try (ContainerRunner sweeper = ContainerRunner.create(state)) {
      swept = sweeper.sweepStale(); // create() swept already; this must find nothing more
    }
    assertEquals(List.of(), swept);
    assertEquals(List.of(), leftovers(child), "after the sweep, for the killed JVM " + child);
    assertEquals(List.of(), leftovers(self), "for this JVM " + self);
    assertEquals(List.of(), processes("60017"), "no container process survives");
    assertEquals(List.of(), mounts(tmp.toString()), "no mount under the test dir");
  }

  private static ExitStatus run(ContainerRunner runner, ContainerSpec.Builder spec)
      throws Exception {
    return runner.run(spec.build(), OutputStream.nullOutputStream(),
        OutputStream.nullOutputStream(), Duration.ofSeconds(30));
  }

  /** Starts {@link LeakChild}, waits until its container runs, and SIGKILLs the JVM. */
  private static long runAndKillChildJvm(Path state, Path lower, Path upper, Path work)
      throws Exception {
    return runAndKillChildJvm(state, lower, upper, work, List.of());
  }

  /** As above; {@code more} are further {@link LeakChild} arguments (its cgroup parent). */
  static long runAndKillChildJvm(Path state, Path lower, Path upper, Path work,
      List<String> more) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-cp",
        System.getProperty("java.class.path"), LeakChild.class.getName(), state.toString(),
        lower.toString(), upper.toString(), work.toString()));
    command.addAll(more);
    Process jvm = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertEquals("started", line);
      // The container, its cgroup and its namespace exist now.
      assertFalse(processes("60017").isEmpty());
      jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertTrue(jvm.waitFor(10, TimeUnit.SECONDS));
    }
    // PR_SET_PDEATHSIG takes rrun and the container down right after the JVM.
    for (int i = 0; i < 200 && !processes("60017").isEmpty(); i++) {
      Thread.sleep(10);
    }
    return jvm.pid();
  }

  /** Cgroups, network namespaces, veths and iptables rules named after {@code owner}. */
  static List<String> leftovers(long owner) throws IOException, InterruptedException {
    List<String> found = new ArrayList<>();
    CgroupHost host = CgroupHost.detect();
    List<Path> parents = new ArrayList<>();
    host.v1Mounts().keySet().forEach(m -> parents.add(m.resolve(Cgroup.PARENT)));
    if (host.unified() != null) {
      parents.add(host.unified().resolve(Cgroup.PARENT));
    }
    for (Path parent : parents) {
      if (Files.isDirectory(parent)) {
        try (var s = Files.list(parent)) {
          s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("run-" + owner + "-"))
              .forEach(n -> found.add("cgroup " + parent.resolve(n)));
        }
      }
    }
    String ns = BridgeNetwork.PREFIX + owner + "-";
    if (Files.isDirectory(BridgeNetwork.NETNS_DIR)) {
      try (var s = Files.list(BridgeNetwork.NETNS_DIR)) {
        s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(ns))
            .forEach(n -> found.add("netns " + n));
      }
    }
    for (String line : capture("ip -o link show type veth").split("\n")) {
      if (line.contains("link-netns " + ns)) {
        found.add("veth " + line);
      }
    }
    for (String line : capture("iptables-save; iptables-save -t nat").split("\n")) {
      if (line.contains(ns)) {
        found.add("iptables " + line);
      }
    }
    return found;
  }

  static List<String> processes(String marker) throws IOException {
    List<String> found = new ArrayList<>();
    try (var s = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (!p.getFileName().toString().matches("[0-9]+")) {
          continue;
        }
        try {
          String cmdline = Files.readString(p.resolve("cmdline"), StandardCharsets.ISO_8859_1)
              .replace('\0', ' ');
          if (cmdline.contains(marker) || cmdline.contains("/bin/rrun-")) {
            found.add(p.getFileName() + " " + cmdline);
          }
        } catch (IOException e) {
          // Exited while we looked.
        }
      }
    }
    return found;
  }

  static List<String> mounts(String under) throws IOException {
    TreeSet<String> found = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      if (line.contains(under)) {
        found.add(line);
      }
    }
    return new ArrayList<>(found);
  }

  static String capture(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    p.waitFor();
    return out.toString(StandardCharsets.UTF_8);
  }
}
