package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real containers: namespaces, overlayfs, pivot_root. Needs root. */
@Tag("root")
class ContainerRunnerTest {
  @TempDir static Path shared;
  static Path lower;
  static ContainerRunner runner;

  @TempDir Path tmp;
  Path upper;
  Path work;

  /** Output of one run. */
  record Result(ExitStatus status, String stdout, String stderr) {}

  @BeforeAll
  static void setUpRunner() throws Exception {
    lower = BusyboxRootfs.create(shared.resolve("lower"));
    runner = ContainerRunner.create(shared.resolve("state"));
  }

  @BeforeEach
  void setUpDirs() throws IOException {
    upper = Files.createDirectories(tmp.resolve("upper"));
    work = Files.createDirectories(tmp.resolve("work"));
  }

  ContainerSpec.Builder spec(String... args) {
    return ContainerSpec.builder().lowerDirs(List.of(lower)).upperDir(upper).workDir(work)
        .env(List.of("PATH=/bin")).args(args);
  }

  Result run(ContainerSpec spec) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExitStatus status = runner.run(spec, out, err, Duration.ofSeconds(30));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Result sh(String script) throws Exception {
    return run(spec("sh", "-c", script).build());
  }

  @Test
  void run_exitCode_propagates() throws Exception {
    Result r = sh("exit 3");
    assertEquals(3, r.status().exitCode());
    assertEquals(0, r.status().signal());
    assertFalse(r.status().success());
    assertEquals("exit code 3", r.status().describe());
    assertTrue(sh("true").status().success());
  }

  @Test
  void run_commandKilledBySignal_reportsSignal() throws Exception {
    Result r = sh("kill -9 $$");
    assertEquals(9, r.status().signal());
    assertEquals(137, r.status().exitCode());
    assertEquals("killed by signal 9", r.status().describe());
  }

  @Test
  void run_pidNamespace_commandIsPid2AndPsShowsOnlyContainer() throws Exception {
    Result r = sh("echo $$; ps -o pid,comm");
    List<String> lines = r.stdout().lines().collect(Collectors.toList());
    assertEquals("2", lines.get(0), r.stdout());
    List<String> pids = lines.subList(2, lines.size()).stream()
        .map(l -> l.trim().split("\\s+")[0]).collect(Collectors.toList());
    // PID 1 is the helper's reaper, 2 the shell (which execs ps last); nothing from the host.
    assertEquals(List.of("1", "2"), pids, r.stdout());
    assertTrue(lines.get(2).contains("rrun-"), r.stdout());
  }

  /**
   * BuildKit and docker run make the command PID 1 (issue 14); what PID 1 leaves running dies
   * with it, and its exit code and the user switch are as with the reaper.
   */
  @Test
  void run_commandIsPid1_whenAsked_andItsOrphansDieWithIt() throws Exception {
    Result r = run(spec("sh", "-c", "echo $$; sleep 1000 & ps -o pid,comm; exit 3")
        .commandIsPid1(true).build());
    assertEquals(3, r.status().exitCode(), r.stderr());
    List<String> lines = r.stdout().lines().collect(Collectors.toList());
    assertEquals("1", lines.get(0), r.stdout());
    List<String> pids = lines.subList(2, lines.size()).stream()
        .map(l -> l.trim().split("\\s+")[0]).collect(Collectors.toList());
    // sh, its background sleep and ps: no rrun reaper, nothing from the host.
    assertEquals("1", pids.get(0), r.stdout());
    assertFalse(r.stdout().contains("rrun-"), r.stdout());
    Result nobody = run(spec("sh", "-c", "echo $$; id -u").user("nobody").commandIsPid1(true)
        .build());
    assertEquals(List.of("1", "65534"), nobody.stdout().lines().collect(Collectors.toList()),
        nobody.stderr());
    RunnerException missing = assertThrows(RunnerException.class,
        () -> run(spec("no-such-command").commandIsPid1(true).build()));
    assertTrue(missing.getMessage().endsWith("exec: exec no-such-command: No such file or"
        + " directory (errno 2)"), missing.getMessage());
  }

  @Test
  void run_hostnameAndEtcFiles_areGenerated() throws Exception {
    Result r = run(spec("sh", "-c", "hostname; cat /etc/hostname /etc/hosts /etc/resolv.conf")
        .hostname("myhost").build());
    assertEquals(0, r.status().exitCode(), r.stderr());
    List<String> lines = r.stdout().lines().collect(Collectors.toList());
    assertEquals("myhost", lines.get(0));
    assertEquals("myhost", lines.get(1));
    assertEquals("127.0.0.1\tlocalhost myhost", lines.get(2));
    assertTrue(r.stdout().contains("nameserver "), r.stdout());
    assertFalse(r.stdout().contains("nameserver 127."), r.stdout());
  }

  @Test
  void run_defaultHostname_isBuildkitsandbox() throws Exception {
    assertEquals("buildkitsandbox\n", sh("hostname").stdout());
  }

  @Test
  void run_procAndDev_areMounted() throws Exception {
    Result r = sh("cat /proc/self/stat | head -c 1; echo; ls /dev; echo x > /dev/null; "
        + "head -c 4 /dev/zero | wc -c; cat /proc/kcore | wc -c; touch /proc/sys/x 2>&1 || echo ro");
    assertEquals(0, r.status().exitCode(), r.stderr());
    List<String> lines = r.stdout().lines().collect(Collectors.toList());
    for (String dev : List.of("null", "zero", "full", "random", "urandom", "tty", "pts", "shm",
        "mqueue", "ptmx", "fd", "stdin", "stdout", "stderr")) {
      assertTrue(lines.contains(dev), dev + " missing in " + lines);
    }
    assertTrue(lines.contains("4"), r.stdout());
    assertTrue(lines.contains("0"), "/proc/kcore is masked: " + r.stdout());
    assertTrue(lines.contains("ro"), r.stdout());
  }

  @Test
  void run_writes_landInUpperdirWithOverlayMarkers() throws Exception {
    Result r = sh("echo hi > /new.txt && rm /data/gone.txt && rm -r /data/keep && mkdir /data/keep"
        + " && echo fresh > /data/keep/fresh.txt");
    assertEquals(0, r.status().exitCode(), r.stderr());
    assertEquals("hi\n", Files.readString(upper.resolve("new.txt")));
    Path whiteout = upper.resolve("data/gone.txt");
    assertEquals("0", String.valueOf(Files.getAttribute(whiteout, "unix:rdev", LinkOption.NOFOLLOW_LINKS)));
    assertTrue(((Integer) Files.getAttribute(whiteout, "unix:mode", LinkOption.NOFOLLOW_LINKS)
        & 0170000) == 0020000, "whiteout is a char device");
    assertEquals("y", Xattrs.get(upper.resolve("data/keep"), "trusted.overlay.opaque"));
    assertFalse(Files.exists(upper.resolve("data/keep/old.txt")));
    assertTrue(Files.exists(lower.resolve("data/gone.txt")), "lower dirs stay untouched");
  }

  @Test
  void run_stubs_areRemovedFromUpperdirWithParentMtimeRestored() throws Exception {
    FileTime etcBefore = Files.getLastModifiedTime(lower.resolve("etc"));
    FileTime rootBefore = Files.getLastModifiedTime(upper);
    Result r = sh("ls /etc/hosts /etc/resolv.conf /etc/hostname /proc/1 >/dev/null && echo ok");
    assertEquals("ok\n", r.stdout(), r.stderr());
    List<String> left = listRecursively(upper);
    assertEquals(List.of("etc"), left, "only the copied-up parent dir may remain");
    assertEquals(etcBefore, Files.getLastModifiedTime(upper.resolve("etc")));
    assertEquals(rootBefore, Files.getLastModifiedTime(upper));
  }

  @Test
  void run_stubWrittenNextToByCommand_keepsParentMtimeChange() throws Exception {
    Result r = sh("echo x > /etc/motd");
    assertEquals(0, r.status().exitCode(), r.stderr());
    assertEquals(List.of("etc", "etc/motd"), listRecursively(upper));
  }

  @Test
  void run_userNobody_resolvesFromContainerPasswd() throws Exception {
    Result r = run(spec("sh", "-c", "id -u; id -g; id -G; echo $HOME; grep CapEff /proc/self/status")
        .user("nobody").build());
    assertEquals(0, r.status().exitCode(), r.stderr());
    List<String> lines = r.stdout().lines().collect(Collectors.toList());
    assertEquals("65534", lines.get(0));
    assertEquals("65534", lines.get(1));
    assertEquals(Arrays.asList("65534", "10"), Arrays.asList(lines.get(2).split(" ")));
    assertEquals("/nonexistent", lines.get(3));
    assertEquals("CapEff:\t0000000000000000", lines.get(4));
  }

  /**
   * BuildKit's testUser (dockerfile_core_test.go): the primary group is a supplementary group
   * too (containerd's CVE-2023-25173 fix), so root's {@code id -G} is "0 10", and a group given
   * explicitly is the only one.
   */
  @Test
  void run_supplementaryGroups_includeThePrimaryGroup() throws Exception {
    String groups = "grep Groups /proc/self/status";
    assertEquals("Groups:\t0 10 ", sh(groups).stdout().strip() + " ");
    assertEquals("Groups:\t10 65534 ",
        run(spec("sh", "-c", groups).user("nobody").build()).stdout().strip() + " ");
    assertEquals("Groups:\t4321 ",
        run(spec("sh", "-c", groups).user("1234:4321").build()).stdout().strip() + " ");
  }

  /** BuildKit's testMountTmpfs and testMountTmpfsSize: a sized tmpfs that no layer sees. */
  @Test
  void run_tmpfsMount_hasItsSizeAndLeavesNothingBehind() throws Exception {
    Result r = run(spec("sh", "-c", "mount | grep /dev/shm; touch /mytmp/foo && ls /mytmp")
        .addMount(BindMount.tmpfs("/dev/shm", 128L << 20))
        .addMount(BindMount.tmpfs("/mytmp", 0)).build());
    assertEquals(0, r.status().exitCode(), r.stderr());
    assertTrue(r.stdout().contains("size=131072k"), r.stdout());
    assertTrue(r.stdout().endsWith("foo\n"), r.stdout());
    // As in run_stubs_areRemovedFromUpperdirWithParentMtimeRestored: the /etc/hosts stubs'
    // copied-up parent may remain; the /mytmp stub and what was written there may not.
    assertEquals(List.of("etc"), listRecursively(upper), "the stub and the file stay out");
    assertThrows(IllegalArgumentException.class, () -> BindMount.tmpfs("/t", -1));
    assertThrows(IllegalArgumentException.class, () -> BindMount.tmpfs("relative", 0));
  }

  @Test
  void run_rootUser_hasDockerDefaultCapabilities() throws Exception {
    Result r = sh("id -u; grep -E 'CapEff|CapBnd|NoNewPrivs' /proc/self/status");
    List<String> lines = r.stdout().lines().collect(Collectors.toList());
    assertEquals("0", lines.get(0));
    // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW
    // SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
    assertEquals("CapEff:\t00000000a80425fb", lines.get(1));
    assertEquals("CapBnd:\t00000000a80425fb", lines.get(2));
    assertEquals("NoNewPrivs:\t0", lines.get(3));
  }

  @Test
  void run_numericUserAndGroup_andNoNewPrivileges() throws Exception {
    Result r = run(spec("sh", "-c", "id -u; id -g; grep NoNewPrivs /proc/self/status")
        .user("1234:4321").noNewPrivileges(true).build());
    assertEquals(List.of("1234", "4321", "NoNewPrivs:\t1"), r.stdout().lines().collect(Collectors.toList()));
  }

  @Test
  void run_unknownUser_failsWithClearError() {
    RunnerException e = assertThrows(RunnerException.class,
        () -> run(spec("true").user("alice").build()));
    assertEquals("user", e.stage());
    assertTrue(e.getMessage().contains("unable to find user alice"), e.getMessage());
  }

  @Test
  void run_envAndWorkdir_areApplied() throws Exception {
    Result r = run(spec("sh", "-c", "pwd; env | grep -v '^PWD=\\|^SHLVL=' | sort")
        .env(List.of("PATH=/bin", "A=1", "ODD=x \"q\" \\ é \uD83D\uDE00")).workingDir("/work/dir").build());
    assertEquals(0, r.status().exitCode(), r.stderr());
    assertEquals(List.of("/work/dir", "A=1", "HOME=/root", "ODD=x \"q\" \\ é \uD83D\uDE00", "PATH=/bin"),
        r.stdout().lines().collect(Collectors.toList()));
    assertTrue(Files.isDirectory(upper.resolve("work/dir")), "a missing workdir is created");
  }

  @Test
  void run_networkNone_seesOnlyLoopback() throws Exception {
    Result r = sh("ls /sys/class/net; ifconfig lo | grep -c UP");
    assertEquals(List.of("lo", "1"), r.stdout().lines().collect(Collectors.toList()));
  }

  @Test
  void run_networkHost_seesHostInterfaces() throws Exception {
    Result r = run(spec("ls", "/sys/class/net").network(NetworkMode.HOST).build());
    List<String> hostIfs = new ArrayList<>();
    try (var s = Files.list(Path.of("/sys/class/net"))) {
      s.forEach(p -> hostIfs.add(p.getFileName().toString()));
    }
    hostIfs.sort(null);
    assertEquals(hostIfs, r.stdout().lines().sorted().collect(Collectors.toList()));
  }

  @Test
  void run_hostMounts_areNotVisible_andNothingLeaks() throws Exception {
    String before = Files.readString(Path.of("/proc/self/mountinfo"));
    Result r = sh("cat /proc/self/mountinfo");
    assertEquals(0, r.status().exitCode(), r.stderr());
    for (String line : r.stdout().lines().collect(Collectors.toList())) {
      String mountPoint = line.split(" ")[4];
      assertTrue(mountPoint.equals("/") || mountPoint.startsWith("/proc")
          || mountPoint.startsWith("/dev") || mountPoint.startsWith("/sys")
          || mountPoint.startsWith("/etc/"), "unexpected mount " + line);
    }
    // Other tests on this host may mount things concurrently, so look for our own paths only.
    String after = Files.readString(Path.of("/proc/self/mountinfo"));
    assertFalse(after.contains(shared.toString()) || after.contains(tmp.toString()), after);
    assertFalse(before.contains(tmp.toString()));
  }

  @Test
  void run_bindMount_readOnlyAndStubRemoved() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("f"), "content\n");
    Result r = run(spec("sh", "-c", "cat /mnt/in/f; touch /mnt/in/g 2>/dev/null || echo ro")
        .addMount(new BindMount(src, "/mnt/in", true)).build());
    assertEquals("content\nro\n", r.stdout(), r.stderr());
    assertEquals(List.of("etc"), listRecursively(upper), "stub dirs /mnt and /mnt/in are removed");
  }

  @Test
  void run_missingCommand_failsWithClearError() {
    RunnerException e = assertThrows(RunnerException.class, () -> run(spec("nosuchcmd", "x").build()));
    assertTrue(e.commandNotFound(), e.getMessage());
    assertEquals("Tried to run [nosuchcmd x] in the container but failed because: exec: exec "
        + "nosuchcmd: No such file or directory (errno 2)", e.getMessage());
  }

  @Test
  void run_missingLowerDir_failsWithStageAndErrno() {
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(tmp.resolve("absent")))
        .upperDir(upper).workDir(work).args("true").build();
    RunnerException e = assertThrows(RunnerException.class, () -> run(spec));
    assertEquals("mount overlay", e.stage());
    assertEquals(2, e.errno());
    assertTrue(e.getMessage().startsWith("Tried to start the container for [true] but failed "
        + "because: mount overlay: "), e.getMessage());
  }

  @Test
  void run_deepLayerStackWithLongPaths_mountsThroughLayersRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("layers-" + "x".repeat(60)));
    List<Path> lowers = new ArrayList<>();
    for (int i = 59; i >= 1; i--) {
      Path layer = Files.createDirectories(root.resolve("layer-" + i + "-" + "y".repeat(20)));
      Files.writeString(layer.resolve("f" + i), Integer.toString(i));
      lowers.add(layer);
    }
    lowers.add(lower);
    ContainerSpec.Builder builder = spec("sh", "-c", "cat /f1 /f30 /f59; echo; ls / | grep -c '^f'");
    builder.lowerDirs(lowers);
    String longOptions = lowers.stream().map(Path::toString).collect(Collectors.joining(":"));
    assertTrue(longOptions.length() > 4096, "the test must exceed one page");
    RunnerException tooLong = assertThrows(RunnerException.class, () -> run(builder.build()));
    assertEquals("mount overlay", tooLong.stage());
    Result r = run(builder.layersRoot(root).build());
    assertEquals(List.of("13059", "59"), r.stdout().lines().collect(Collectors.toList()), r.stderr());
  }

  @Test
  void run_limits_pidsAndMemory_enforcedAndCgroupRemoved() throws Exception {
    Result pids = run(spec("sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done; wait")
        .limits(ResourceLimits.of(0, 5)).build());
    assertTrue(pids.stderr().contains("can't fork") || pids.stderr().contains("Resource temporarily"),
        pids.stderr());
    Result oom = run(spec("sh", "-c", "x=y; while true; do x=$x$x; done")
        .limits(ResourceLimits.of(16 * 1024 * 1024, 0)).build());
    assertTrue(oom.status().oomKilled(), oom.status().toString());
    assertEquals(9, oom.status().signal());
    for (String controller : List.of("memory", "pids")) {
      Path parent = Path.of("/sys/fs/cgroup", controller, "jbuild");
      try (var s = Files.list(parent)) {
        String mine = "run-" + ProcessHandle.current().pid() + "-";
        assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith(mine)).count(),
            "cgroups removed under " + parent);
      }
    }
  }

  @Test
  void run_timeout_killsContainer() {
    long start = System.nanoTime();
    RunnerException e = assertThrows(RunnerException.class,
        () -> runner.run(spec("sleep", "30").build(), new ByteArrayOutputStream(),
            new ByteArrayOutputStream(), Duration.ofMillis(300)));
    assertTrue(e.getMessage().contains("did not finish in time"), e.getMessage());
    assertTrue(System.nanoTime() - start < 5_000_000_000L);
  }

  @Test
  void run_interrupt_killsContainerCleansUpAndRethrows() throws Exception {
    Thread testThread = Thread.currentThread();
    Thread interrupter = new Thread(() -> {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
      testThread.interrupt();
    });
    interrupter.start();
    long start = System.nanoTime();
    assertThrows(InterruptedException.class, () -> sh("sleep 30"));
    assertTrue(System.nanoTime() - start < 5_000_000_000L);
    interrupter.join();
    Thread.interrupted();
    // The copied-up /etc (parent of the /etc/hosts stub) stays, as with BuildKit; see StubCleaner.
    assertEquals(List.of("etc"), listRecursively(upper), "stubs are removed even after an interrupt");
    String mine = ProcessHandle.current().pid() + "-";
    for (Path runs : List.of(Path.of("/run/jbuild/runs"), shared.resolve("state/runs"))) {
      if (Files.isDirectory(runs)) {
        try (var s = Files.list(runs)) {
          assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith(mine)).count(),
              "run dirs are cleaned up");
        }
      }
    }
  }

  @Test
  void runAttached_inheritsStreamsAndReturnsExitCode() throws Exception {
    // No I/O on the inherited streams: Surefire uses this JVM's stdin/stdout as its channel.
    assertEquals(4, runner.runAttached(spec("sh", "-c", "echo attached > /out; exit 4").build())
        .exitCode());
    assertEquals("attached\n", Files.readString(upper.resolve("out")));
  }

  @Test
  void run_concurrentContainers_areIndependent(@TempDir Path other) throws Exception {
    int n = 4;
    List<java.util.concurrent.Future<Result>> futures = new ArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      for (int i = 0; i < n; i++) {
        Path dir = Files.createDirectories(other.resolve("c" + i));
        ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(lower))
            .upperDir(Files.createDirectories(dir.resolve("upper")))
            .workDir(Files.createDirectories(dir.resolve("work")))
            .env(List.of("PATH=/bin")).hostname("host" + i)
            .args("sh", "-c", "hostname > /who; echo $$; cat /who").build();
        futures.add(pool.submit(() -> run(spec)));
      }
      for (int i = 0; i < n; i++) {
        assertEquals("2\nhost" + i + "\n", futures.get(i).get().stdout());
        assertEquals("host" + i + "\n", Files.readString(other.resolve("c" + i + "/upper/who")));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void create_extractsHelperOnceAndRepairsCorruption() throws Exception {
    Path helper = runner.helperPath();
    assertTrue(helper.getFileName().toString().startsWith("rrun-"));
    assertNotEquals(0, Files.size(helper));
    assertEquals(helper, ContainerRunner.create(shared.resolve("state")).helperPath());
  }

  @Test
  void measure_perRunCost() throws Exception {
    ContainerSpec spec = spec("true").build();
    for (int i = 0; i < 5; i++) {
      run(spec);
      clear(upper);
    }
    int n = 50;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      assertTrue(run(spec).status().success());
      clear(upper);
    }
    double ms = (System.nanoTime() - start) / 1e6 / n;
    System.out.printf("rrun per-run cost: %.2f ms average over %d runs of true%n", ms, n);
    assertTrue(ms < 1000, "a run should not take a second: " + ms);
  }

  private static void clear(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          clear(p);
        }
        Files.delete(p);
      }
    }
  }

  private static List<String> listRecursively(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted()
          .collect(Collectors.toList());
    }
  }
}
