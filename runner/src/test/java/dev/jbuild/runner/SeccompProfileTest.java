package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rrun's seccomp filter (Docker's default profile, issue #10) against real syscalls: a static C
 * probe ({@code src/test/c/seccomp-probe.c}, compiled with gcc at test time) runs in a real
 * container and its results must match {@code src/test/c/seccomp-probe.expected}, which the
 * samples attack suite shares. Needs root.
 */
@Tag("root")
class SeccompProfileTest {
  static final Path PROBE_SOURCE = Path.of("src/test/c/seccomp-probe.c");
  static final Path EXPECTED = Path.of("src/test/c/seccomp-probe.expected");
  private static final Pattern LINE = Pattern.compile("^seccomp-probe: (\\S+) (\\S+)$",
      Pattern.MULTILINE);

  @TempDir static Path shared;
  static Path lower;
  static ContainerRunner runner;

  @BeforeAll
  static void setUp() throws Exception {
    lower = BusyboxRootfs.create(shared.resolve("lower"));
    compileProbe(lower.resolve("bin/seccomp-probe"));
    runner = ContainerRunner.create(shared.resolve("state"));
  }

  @AfterAll
  static void tearDown() {
    if (runner != null) {
      runner.close();
    }
  }

  /** Compiles the probe statically (the container has no libc); fails when gcc is missing. */
  static void compileProbe(Path out) throws IOException, InterruptedException {
    Process gcc = new ProcessBuilder("gcc", "-O2", "-static", "-pthread", "-Wall", "-Werror",
        "-D_GNU_SOURCE", "-o", out.toString(), PROBE_SOURCE.toString())
        .redirectErrorStream(true).start();
    String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, gcc.waitFor(), "gcc failed to build the seccomp probe:\n" + log);
  }

  /** The expected results: check name -> {with filter, without filter ("-": not asserted)}. */
  static Map<String, String[]> expected() throws IOException {
    Map<String, String[]> m = new LinkedHashMap<>();
    for (String line : Files.readAllLines(EXPECTED)) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] f = t.split("\\s+");
      // The x32 ABI exists only on x86_64.
      if (!f[0].startsWith("x32_") || System.getProperty("os.arch").equals("amd64")) {
        m.put(f[0], new String[] {f[1], f[2]});
      }
    }
    return m;
  }

  /** The probe's "seccomp-probe: NAME RESULT" lines as a map, in order. */
  static Map<String, String> results(String output) {
    Map<String, String> m = new LinkedHashMap<>();
    Matcher matcher = LINE.matcher(output);
    while (matcher.find()) {
      m.put(matcher.group(1), matcher.group(2));
    }
    return m;
  }

  private String run(boolean seccomp, String... args) throws Exception {
    Path tmp = Files.createTempDirectory(shared, "run");
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(lower))
        .upperDir(Files.createDirectories(tmp.resolve("upper")))
        .workDir(Files.createDirectories(tmp.resolve("work")))
        .env(List.of("PATH=/bin")).args(args).seccomp(seccomp).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExitStatus status = runner.run(spec, new RrunInvocation.Io(out, err, false),
        Duration.ofSeconds(60), false);
    String stdout = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, status.exitCode(), status + "\n" + stdout + err.toString(StandardCharsets.UTF_8));
    return stdout;
  }

  /**
   * With the filter on, every probe gets what Docker's default profile gives a container with
   * the 14 default capabilities: fork, threads (clone3 gets ENOSYS and libc falls back to
   * clone), personality(PER_LINUX), chroot, ptrace and mseal work; unshare, clone with namespace
   * flags, keyctl, bpf, io_uring, the mount API, kcmp and pidfd_getfd, AF_ALG and AF_VSOCK
   * sockets and the x32 ABI get EPERM; syscalls newer than the profile (open_tree_attr,
   * file_getattr) get ENOSYS. The old deny-list let unshare(CLONE_FILES), pidfd_getfd,
   * personality(ADDR_NO_RANDOMIZE), AF_ALG and the new syscalls through.
   */
  @Test
  void probe_withFilter_getsDockersDefaultProfile() throws Exception {
    Map<String, String> want = new LinkedHashMap<>();
    expected().forEach((name, e) -> want.put(name, e[0]));
    assertEquals(want, results(run(true, "seccomp-probe")));
  }

  /** With the filter off (RUN --security=insecure) the same calls reach the kernel. */
  @Test
  void probe_withoutFilter_reachesTheKernel() throws Exception {
    Map<String, String> got = results(run(false, "seccomp-probe"));
    Map<String, String> want = new LinkedHashMap<>();
    Map<String, String> gotAsserted = new LinkedHashMap<>();
    expected().forEach((name, e) -> {
      if (!e[1].equals("-")) {
        want.put(name, e[1]);
        gotAsserted.put(name, got.get(name));
      }
    });
    assertEquals(want, gotAsserted, got.toString());
  }

  /** Ordinary busybox commands, pipes and background jobs still work under the filter. */
  @Test
  void ordinaryCommands_workUnderTheFilter() throws Exception {
    String out = run(true, "sh", "-c", "mkdir -p /x/y && echo hi > /x/y/f && cat /x/y/f"
        + " | grep -c hi; ls /x/y; sleep 0 & wait; id -u; ps >/dev/null && echo ps-ok;"
        + " dd if=/dev/zero of=/x/z bs=1k count=4 2>/dev/null; wc -c < /x/z; hostname");
    assertFalse(out.isEmpty());
    assertEquals(List.of("1", "f", "0", "ps-ok", "4096"), out.lines().toList().subList(0, 5), out);
  }
}
