package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's container features on real namespaces and cgroups: cgroup limits as the container
 * sees them, OOM wording, /sys/fs/cgroup, seccomp, pseudo-terminals, volumes, the v2 code path
 * and the bridge network. Needs root.
 */
@Tag("root")
class ContainerFeaturesTest {
  @TempDir static Path shared;
  static Path lower;
  static ContainerRunner runner;

  @TempDir Path tmp;
  Path upper;
  Path work;

  record Result(ExitStatus status, String stdout, String stderr) {}

  @BeforeAll
  static void setUp() throws Exception {
    lower = BusyboxRootfs.create(shared.resolve("lower"));
    runner = ContainerRunner.create(shared.resolve("state"));
  }

  @AfterAll
  static void tearDown() {
    runner.close();
  }

  @BeforeEach
  void dirs() throws IOException {
    upper = Files.createDirectories(tmp.resolve("upper"));
    work = Files.createDirectories(tmp.resolve("work"));
  }

  ContainerSpec.Builder spec(String script) {
    return ContainerSpec.builder().lowerDirs(List.of(lower)).upperDir(upper).workDir(work)
        .env(List.of("PATH=/bin")).args("sh", "-c", script);
  }

  static Result run(ContainerRunner r, ContainerSpec spec, boolean tty) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExitStatus status = r.run(spec, new RrunInvocation.Io(out, err, false),
        Duration.ofSeconds(60), tty);
    return new Result(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  Result run(ContainerSpec spec) throws Exception {
    return run(runner, spec, false);
  }

  // A build step's upperdir is mounted volatile (no sync at unmount); any other only on request.
  @Test
  void volatileUpper_onlyWhenAsked_andTheFilesStillLandInTheUpperdir() throws Exception {
    String script = "grep ' / overlay ' /proc/self/mounts | grep -c volatile; echo data > /f";
    Result plain = run(spec(script).build());
    assertEquals("0", plain.stdout().trim(), plain.stderr());
    Files.delete(upper.resolve("f"));
    Result quick = run(spec(script).volatileUpper(true).build());
    assertEquals(0, quick.status().exitCode(), quick.stderr());
    assertEquals("1", quick.stdout().trim(), quick.stderr());
    assertEquals("data\n", Files.readString(upper.resolve("f")));
  }

  @Test
  void cpuQuotaAndLimits_visibleReadOnlyUnderSysFsCgroup() throws Exception {
    Result r = run(spec("cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us"
        + " /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes;"
        + " cat /proc/self/cgroup | grep -c ':/$';"
        + " touch /sys/fs/cgroup/x 2>/dev/null && echo writable || echo read-only;"
        + " echo 1 > /sys/fs/cgroup/pids/pids.max 2>/dev/null && echo writable || echo read-only")
        .limits(new ResourceLimits(48L << 20, 150_000, 0, 33)).build());
    assertEquals(0, r.status().exitCode(), r.stderr());
    List<String> lines = r.stdout().lines().toList();
    assertEquals(List.of("150000", "100000", "33", String.valueOf(48L << 20)),
        lines.subList(0, 4), r.stdout());
    // The cgroup namespace makes every joined cgroup (memory, pids, cpu, unified) the root.
    assertTrue(Integer.parseInt(lines.get(4)) >= 4, r.stdout());
    assertEquals(List.of("read-only", "read-only"), lines.subList(5, 7), r.stdout());
  }

  @Test
  void memoryLimit_oomKillIsReportedWithTheLimit() throws Exception {
    Result r = run(spec("x=y; while true; do x=$x$x; done")
        .limits(ResourceLimits.of(24L << 20, 0)).build());
    assertTrue(r.status().oomKilled(), r.status().toString());
    assertEquals(137, r.status().exitCode());
    assertEquals("out of memory (limit 24 MiB)", r.status().outOfMemoryDetail());
    assertEquals("killed by signal 9: out of memory (limit 24 MiB)", r.status().describe());
  }

  @Test
  void sandbox_extraHostsShmSizeAndRlimits_asDockerBuildFlags() throws Exception {
    // docker build --add-host db:10.0.0.7 --add-host v6:fd00::1 --shm-size 8m
    // --ulimit nofile=1024:2048 --ulimit nproc=500:1000 (below this VM's hard limits: it lacks
    // CAP_SYS_RESOURCE, so raising one fails, as the test below shows).
    Sandbox sandbox = new Sandbox(
        List.of(new Sandbox.Host("db", "10.0.0.7"), new Sandbox.Host("v6", "fd00::1")),
        8L << 20, List.of(Sandbox.Rlimit.parse("nofile=1024:2048"),
            Sandbox.Rlimit.parse("nproc=500:1000")));
    Result r = run(spec("ulimit -n; ulimit -Hn; ulimit -u; tail -n 2 /etc/hosts;"
        + " df -k /dev/shm | tail -n 1 | awk '{print $2}'; ulimit -Hu").sandbox(sandbox).build());
    assertEquals(0, r.status().exitCode(), r.stderr());
    List<String> lines = r.stdout().lines().toList();
    assertEquals(List.of("1024", "2048", "500", "10.0.0.7\tdb", "fd00::1\tv6", "8192", "1000"),
        lines, r.stdout());
    Result defaults = run(spec("df -k /dev/shm | tail -n 1 | awk '{print $2}'; grep -c . /etc/hosts")
        .build());
    assertEquals("65536\n2\n", defaults.stdout(), defaults.stderr());
    // Above the hard limit rrun inherited: without CAP_SYS_RESOURCE that is one clear error;
    // with it (a host that grants it) the limit is raised.
    boolean canRaise = Files.readString(Path.of("/proc/self/status")).lines()
        .filter(l -> l.startsWith("CapEff:")).map(l -> Long.parseLong(l.substring(7).strip(), 16))
        .anyMatch(caps -> (caps & (1L << 24)) != 0);
    ContainerSpec raise = spec("ulimit -Hu").sandbox(new Sandbox(List.of(), 0,
        List.of(Sandbox.Rlimit.parse("nproc=-1")))).build();
    if (canRaise) {
      assertEquals("unlimited\n", run(raise).stdout());
    } else {
      RunnerException e = assertThrows(RunnerException.class, () -> run(raise));
      assertTrue(e.getMessage().contains("set the nproc limit above this process's hard limit"
          + " (needs CAP_SYS_RESOURCE)"), e.getMessage());
    }
  }

  @Test
  void seccomp_deniesUserNamespacesUnlessTurnedOff() throws Exception {
    Result on = run(spec("unshare -U true && echo created || echo denied").build());
    assertEquals("denied\n", on.stdout(), on.stderr());
    assertTrue(on.stderr().contains("Operation not permitted"), on.stderr());
    Result off = run(spec("unshare -U true && echo created || echo denied").seccomp(false)
        .build());
    assertEquals("created\n", off.stdout(), off.stderr());
  }

  @Test
  void tty_commandGetsATerminalRelayedByPid1() throws Exception {
    Result r = run(runner, spec("tty; [ -t 0 ] && [ -t 1 ] && echo both-terminals; exit 4")
        .build(), true);
    assertEquals(4, r.status().exitCode());
    // The pty turns \n into \r\n, as with docker run -t.
    assertEquals("/dev/pts/0\r\nboth-terminals\r\n", r.stdout());
    Result noTty = run(spec("[ -t 1 ] && echo terminal || echo pipe").build());
    assertEquals("pipe\n", noTty.stdout());
  }

  @Test
  void volumes_readWriteAndReadOnly() throws Exception {
    Path rw = Files.createDirectories(tmp.resolve("rw"));
    Path ro = Files.createDirectories(tmp.resolve("ro"));
    Files.writeString(ro.resolve("in.txt"), "from host\n");
    Result r = run(spec("echo from container > /data/rw/out.txt; cat /data/ro/in.txt;"
        + " echo x > /data/ro/nope 2>/dev/null && echo ro-writable || echo ro-denied")
        .addMount(new BindMount(rw, "/data/rw", false))
        .addMount(new BindMount(ro, "/data/ro", true)).build());
    assertEquals("from host\nro-denied\n", r.stdout(), r.stderr());
    assertEquals("from container\n", Files.readString(rw.resolve("out.txt")));
    assertFalse(Files.exists(ro.resolve("nope")));
    // Neither the volume contents nor the mount points end up in the layer.
    assertFalse(Files.exists(upper.resolve("data/rw/out.txt")));
    assertFalse(Files.exists(upper.resolve("data/ro")));
  }

  @Test
  void cgroupV2CodePath_onTheUnifiedTree() throws Exception {
    CgroupHost detected = CgroupHost.detect();
    // On a pure v2 host the default runner already takes this path.
    CgroupHost v2 = new CgroupHost(CgroupHost.Mode.UNIFIED, detected.unified(), Map.of());
    try (ContainerRunner r = ContainerRunner.create(shared.resolve("state-v2"), v2)) {
      Result res = run(r, spec("grep ^0:: /proc/self/cgroup; ls /sys/fs/cgroup/cgroup.procs;"
          + " mount | grep ' /sys/fs/cgroup '").build(), false);
      assertEquals("0::/\n/sys/fs/cgroup/cgroup.procs\n", res.stdout().substring(0,
          res.stdout().indexOf("cgroup.procs\n") + 13), res.stderr());
      assertTrue(res.stdout().contains("type cgroup2 (ro,"), res.stdout());
      // A timeout kills the container through cgroup.kill; background children go too.
      assertThrows(RunnerException.class, () -> r.run(spec("sleep 30 & sleep 30 & wait").build(),
          new ByteArrayOutputStream(), new ByteArrayOutputStream(), Duration.ofMillis(500)));
    }
    try (var s = Files.list(detected.unified().resolve(Cgroup.PARENT))) {
      long mine = s.filter(p -> p.getFileName().toString()
          .startsWith("run-" + ProcessHandle.current().pid() + "-")).count();
      assertEquals(0, mine, "v2 cgroups removed");
    }
  }
}
