package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10 item 1: a container must not reach the host's block devices, even though it keeps
 * CAP_MKNOD as in Docker. Each test attacks a real loop device over a temp file of known content,
 * once by creating a node for it ({@code mknod /b b 7 N}) and once through a node the image
 * already contains, under each way the policy is enforced: the v1 devices controller (this
 * host's default), the cgroup2 eBPF program (the v2 code path on the hybrid host's unified tree)
 * and the fallback without either (no CAP_MKNOD, rootfs mounted nodev). The default character
 * devices and pseudo-terminals must keep working in all three. Needs root and losetup.
 */
@Tag("root")
class DevicePolicyTest {
  /** What the loop device holds; it must never show up in a container's output. */
  static final String SECRET = "DEVSECRET";
  static final String EPERM = "Operation not permitted";

  @TempDir static Path shared;
  static Path lower;
  static String loopDevice;
  static String majorMinor;
  static ContainerRunner runner;

  @TempDir Path tmp;
  Path upper;
  Path work;

  @BeforeAll
  static void setUp() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/dev/loop-control")), "needs loop devices");
    lower = BusyboxRootfs.create(shared.resolve("lower"));
    for (String applet : List.of("mknod", "ln", "printf")) {
      Files.createSymbolicLink(lower.resolve("bin").resolve(applet), Path.of("busybox"));
    }
    Path backing = shared.resolve("disk.img");
    Files.writeString(backing, (SECRET + "-").repeat(6553) + "012345", StandardCharsets.US_ASCII);
    loopDevice = exec("losetup", "-f", "--show", backing.toString()).trim();
    majorMinor = Files.readString(Path.of("/sys/class/block", Path.of(loopDevice)
        .getFileName().toString(), "dev")).trim();
    // An image that already carries a node for the host's disk (what `jbuild load` of an
    // untrusted archive can produce), owned by root and world-readable as a careless one would be.
    String[] mm = majorMinor.split(":");
    exec("mknod", "-m", "0666", lower.resolve("hostdisk").toString(), "b", mm[0], mm[1]);
    runner = ContainerRunner.create(shared.resolve("state"));
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (runner != null) {
      runner.close();
    }
    if (loopDevice != null) {
      exec("losetup", "-d", loopDevice);
    }
  }

  @BeforeEach
  void dirs() throws IOException {
    upper = Files.createDirectories(tmp.resolve("upper"));
    work = Files.createDirectories(tmp.resolve("work"));
  }

  /** The attack of the issue, with the default runner (v1 devices controller on this host). */
  @Test
  void mknodOfTheHostDisk_isDenied_defaultPolicy() throws Exception {
    assertBlockDeviceUnreachable(runner, EPERM, EPERM);
  }

  /** The same attacks under the cgroup2 eBPF program, with no v1 devices cgroup joined. */
  @Test
  void mknodOfTheHostDisk_isDenied_ebpfPolicy() throws Exception {
    CgroupHost detected = CgroupHost.detect();
    assumeTrue(detected.unified() != null, "needs a cgroup2 mount");
    CgroupHost v2 = new CgroupHost(CgroupHost.Mode.UNIFIED, detected.unified(), Map.of());
    try (ContainerRunner r = ContainerRunner.create(shared.resolve("state-v2"), v2)) {
      assertBlockDeviceUnreachable(r, EPERM, EPERM);
    }
  }

  /**
   * Without any device cgroup: CAP_MKNOD is gone (mknod fails) and the rootfs is nodev (the
   * image's own node cannot be opened).
   */
  @Test
  void mknodOfTheHostDisk_isDenied_withoutDeviceCgroups() throws Exception {
    CgroupHost detected = CgroupHost.detect();
    try (ContainerRunner r = ContainerRunner.create(shared.resolve("state-none"), detected)) {
      r.disableDevicePolicy();
      assertBlockDeviceUnreachable(r, EPERM, "Permission denied");
      ContainerFeaturesTest.Result res = run(r, spec("mknod /b b " + majorMinor.replace(':', ' ')
          + "; mknod /c c 1 3; ls /b /c"), false);
      assertEquals(2, count(res.stderr(), "Operation not permitted"), res.stderr());
    }
  }

  /**
   * When the kernel refuses the eBPF program (here: the target is no cgroup), rrun reports it and
   * takes the same fallback instead of running without a policy.
   */
  @Test
  void ebpfProgramRefused_fallsBackToNoMknodAndNodev() throws Exception {
    Path runDir = Files.createDirectories(tmp.resolve("run"));
    Path notACgroup = Files.createDirectories(tmp.resolve("not-a-cgroup"));
    Path specFile = runDir.resolve("spec.json");
    byte[] json = RrunSpec.toJson(spec("mknod /b b " + majorMinor.replace(':', ' ')
            + "; head -c 9 /hostdisk"), new RrunSpec.Runtime(
        Files.createDirectories(runDir.resolve("rootfs")), List.of(), List.of(), List.of(), null,
        false, new DevicePolicy(DevicePolicy.Enforcement.EBPF, notACgroup)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    RrunInvocation.Outcome outcome = RrunInvocation.run(runner.helperPath(), json,
        specFile, runDir.resolve("status"), new RrunInvocation.Io(out, err, false), Duration.ofSeconds(60));
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertNotNull(outcome.status().deviceFallback, stderr);
    assertNotEquals(0, outcome.helperExitCode(), stderr);
    assertFalse(out.toString(StandardCharsets.UTF_8).contains(SECRET));
    assertTrue(stderr.contains("mknod: /b: " + EPERM), stderr);
    assertTrue(stderr.contains("Permission denied"), stderr);
  }

  /**
   * The two attacks fail with the expected errors (the node created by mknod, the node shipped
   * in the image), nothing of the disk reaches the output or changes, and allowed devices work.
   */
  private void assertBlockDeviceUnreachable(ContainerRunner r, String mknodError,
      String openError) throws Exception {
    String mm = majorMinor.replace(':', ' ');
    ContainerFeaturesTest.Result created = run(r, spec("mknod /b b " + mm + " && head -c 9 /b"),
        false);
    assertNotEquals(0, created.status().exitCode(), created.stdout());
    assertFalse(created.stdout().contains(SECRET), created.stdout());
    assertTrue(created.stderr().contains(mknodError), created.stderr());

    ContainerFeaturesTest.Result shipped = run(r, spec("head -c 40 /hostdisk"), false);
    assertNotEquals(0, shipped.status().exitCode(), shipped.stdout());
    assertFalse(shipped.stdout().contains(SECRET), shipped.stdout());
    assertTrue(shipped.stderr().contains(openError), shipped.stderr());

    ContainerFeaturesTest.Result write = run(r, spec("printf PWNED > /hostdisk"), false);
    assertNotEquals(0, write.status().exitCode(), write.stderr());
    assertTrue(Files.readString(shared.resolve("disk.img")).startsWith(SECRET + "-"));

    assertAllowedDevicesWork(r);
  }

  /** /dev/null, zero, full, random, urandom, tty and a pty keep working under every policy. */
  private void assertAllowedDevicesWork(ContainerRunner r) throws Exception {
    ContainerFeaturesTest.Result res = run(r, spec("echo gone > /dev/null && cat /dev/null"
        + " && head -c 5 /dev/zero | wc -c && head -c 3 /dev/full | wc -c"
        + " && ! echo x 2>/dev/null > /dev/full"
        + " && head -c 7 /dev/random | wc -c && head -c 8 /dev/urandom | wc -c"
        + " && exec 3<>/dev/ptmx && echo ptmx"), false);
    assertEquals(0, res.status().exitCode(), res.stderr());
    assertEquals("5\n3\n7\n8\nptmx\n", res.stdout().replace(" ", ""), res.stderr());
    // With a terminal: the command's stdio is a /dev/pts slave, and /dev/tty is its terminal.
    ContainerFeaturesTest.Result tty = run(r, spec("tty && echo via-tty > /dev/tty"), true);
    assertEquals(0, tty.status().exitCode(), tty.stdout() + tty.stderr());
    assertTrue(tty.stdout().contains("/dev/pts/0"), tty.stdout());
    assertTrue(tty.stdout().contains("via-tty"), tty.stdout());
  }

  private ContainerSpec spec(String script) {
    return ContainerSpec.builder().lowerDirs(List.of(lower)).upperDir(upper).workDir(work)
        .env(List.of("PATH=/bin")).args("sh", "-c", script).build();
  }

  private ContainerFeaturesTest.Result run(ContainerRunner r, ContainerSpec spec, boolean tty)
      throws Exception {
    // Each run gets a fresh upperdir: a failed mknod must not leak into the next attack.
    ContainerFeaturesTest.Result res = ContainerFeaturesTest.run(r, spec, tty);
    dirs(tmp.resolve("r" + System.nanoTime()));
    return res;
  }

  private void dirs(Path base) throws IOException {
    upper = Files.createDirectories(base.resolve("upper"));
    work = Files.createDirectories(base.resolve("work"));
  }

  private static int count(String text, String word) {
    int n = 0;
    for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
      n++;
    }
    return n;
  }

  private static String exec(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).start();
    // Outputs are a line or two, so reading one pipe after the other cannot block.
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + out + err);
    }
    return out;
  }
}
