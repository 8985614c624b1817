package dev.jbuild.samples.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.samples.Jbuild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10, seccomp boundary, through the real {@code jbuild build}: a RUN step is filtered by
 * Docker's default seccomp profile (an allow list), so it cannot reach syscalls the profile
 * leaves out, including ones newer than the profile. The probe is the runner's
 * {@code runner/src/test/c/seccomp-probe.c}, built static with gcc and COPYed into a busybox
 * image; its results must match {@code seccomp-probe.expected}, as in the runner's
 * SeccompProfileTest. Needs root.
 */
@Tag("root")
class SeccompAttackTest {
  private static final Pattern LINE = Pattern.compile("seccomp-probe: (\\S+) (\\S+)");

  @TempDir static Path work;
  static Jbuild jbuild;
  static Path probeDir;

  @BeforeAll
  static void setUp() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
    probeDir = repoRoot().resolve("runner/src/test/c");
  }

  private static Path repoRoot() {
    return Jbuild.samplesDir().getParent();
  }

  /** A build context holding the compiled probe and the given Dockerfile. */
  private static Path context(String name, String dockerfile)
      throws IOException, InterruptedException {
    Path dir = Files.createDirectories(work.resolve(name));
    Process gcc = new ProcessBuilder("gcc", "-O2", "-static", "-pthread", "-Wall", "-Werror",
        "-D_GNU_SOURCE", "-o", dir.resolve("seccomp-probe").toString(),
        probeDir.resolve("seccomp-probe.c").toString()).redirectErrorStream(true).start();
    String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, gcc.waitFor(), "gcc failed to build the seccomp probe:\n" + log);
    Files.writeString(dir.resolve("Dockerfile"), dockerfile);
    return dir;
  }

  private static Map<String, String> results(String output) {
    Map<String, String> m = new LinkedHashMap<>();
    Matcher matcher = LINE.matcher(output);
    while (matcher.find()) {
      m.put(matcher.group(1), matcher.group(2));
    }
    return m;
  }

  private static Map<String, String> expectedWithFilter() throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : Files.readAllLines(probeDir.resolve("seccomp-probe.expected"))) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] f = t.split("\\s+");
      if (!f[0].startsWith("x32_") || System.getProperty("os.arch").equals("amd64")) {
        m.put(f[0], f[1]);
      }
    }
    return m;
  }

  /**
   * Attack: a RUN step probes ~30 syscalls (namespaces, keyrings, bpf, io_uring, the mount API,
   * kcmp/pidfd_getfd, AF_ALG/AF_VSOCK sockets, personality flags, x32, syscalls newer than the
   * profile such as open_tree_attr and file_getattr). Must happen: exactly what Docker's default
   * profile allows works (fork, threads, chroot, ptrace, mseal...), the rest fails with the
   * profile's EPERM, or ENOSYS for clone3 and syscalls newer than the profile.
   */
  @Test
  void runStep_probingSyscalls_getsDockersDefaultProfile() throws Exception {
    Path ctx = context("probe-all", "FROM localbase/busybox:1\n"
        + "COPY seccomp-probe /usr/local/bin/\n"
        + "RUN seccomp-probe\n");
    Jbuild.Result r = jbuild.run("build", "--progress=plain", "-t", "attack/seccomp:all",
        ctx.toString());
    r.assertSuccess();
    assertEquals(expectedWithFilter(), results(r.stdout() + r.stderr()),
        r.stdout() + r.stderr());
  }

  /**
   * Attack: a RUN step tries to leave its sandbox by creating a user namespace (unshare and
   * clone with CLONE_NEWUSER|CLONE_NEWNS) and by opening a mount tree with open_tree. Must
   * happen: every call gets EPERM, so the step, and with it the build, fails.
   */
  @Test
  void runStep_creatingNamespacesOrMountTrees_failsTheBuild() throws Exception {
    Path ctx = context("probe-escape", "FROM localbase/busybox:1\n"
        + "COPY seccomp-probe /usr/local/bin/\n"
        + "RUN seccomp-probe unshare_user clone_newns open_tree\n");
    Jbuild.Result r = jbuild.run("build", "--progress=plain", "-t", "attack/seccomp:escape",
        ctx.toString());
    String all = r.stdout() + r.stderr();
    assertNotEquals(0, r.exitCode(), all);
    assertEquals(Map.of("unshare_user", "EPERM", "clone_newns", "EPERM", "open_tree", "EPERM"),
        results(all), all);
    assertTrue(all.contains("exit code: 1"), all);
  }
}
