package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup code paths against a fake cgroupfs (plain directories), so the v2 and legacy layouts
 * are exercised on any host. A plain directory does not create the kernel's interface files on
 * mkdir, so optional files (memory.swap.max, memory.oom.group, memsw) are not written here; the
 * root tests cover the real hierarchies of this host.
 */
class CgroupTest {
  @TempDir Path fs;

  @Test
  void unified_writesV2LimitsAndEnablesControllers() throws Exception {
    Path root = Files.createDirectories(fs.resolve("cgroup"));
    Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids\n");
    Files.writeString(root.resolve("cgroup.subtree_control"), "");
    CgroupHost host = new CgroupHost(CgroupHost.Mode.UNIFIED, root, Map.of());
    Cgroup cgroup = Cgroup.create(host, "run-1-a",
        new ResourceLimits(64L << 20, 50_000, 0, 20));
    Path dir = root.resolve("jbuild/run-1-a");
    assertEquals("+memory +pids +cpu", Files.readString(root.resolve("cgroup.subtree_control")));
    assertEquals(String.valueOf(64L << 20), Files.readString(dir.resolve("memory.max")));
    assertEquals("20", Files.readString(dir.resolve("pids.max")));
    assertEquals("50000 100000", Files.readString(dir.resolve("cpu.max")));
    assertEquals(List.of(dir.resolve("cgroup.procs")), cgroup.procsFiles());
    assertEquals(List.of(new RrunSpec.CgroupMount("", "cgroup2", null)), cgroup.containerMounts());
    assertEquals(64L << 20, cgroup.memoryLimit());

    assertFalse(cgroup.oomKilled());
    Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n");
    assertTrue(cgroup.oomKilled());
  }

  @Test
  void legacy_writesV1LimitsIntoEachController() throws Exception {
    Path memory = Files.createDirectories(fs.resolve("memory"));
    Path pids = Files.createDirectories(fs.resolve("pids"));
    Path cpu = Files.createDirectories(fs.resolve("cpu,cpuacct"));
    CgroupHost host = new CgroupHost(CgroupHost.Mode.LEGACY, null,
        Map.of(memory, "memory", pids, "pids", cpu, "cpu,cpuacct"));
    Cgroup cgroup = Cgroup.create(host, "run-1-b",
        new ResourceLimits(32L << 20, 150_000, 50_000, 9));
    assertEquals(String.valueOf(32L << 20),
        Files.readString(memory.resolve("jbuild/run-1-b/memory.limit_in_bytes")));
    assertEquals("9", Files.readString(pids.resolve("jbuild/run-1-b/pids.max")));
    assertEquals("50000", Files.readString(cpu.resolve("jbuild/run-1-b/cpu.cfs_period_us")));
    assertEquals("150000", Files.readString(cpu.resolve("jbuild/run-1-b/cpu.cfs_quota_us")));
    assertEquals(3, cgroup.procsFiles().size());
    assertTrue(cgroup.containerMounts().contains(
        new RrunSpec.CgroupMount("cpu,cpuacct", "cgroup", "cpu,cpuacct")));
    Files.writeString(memory.resolve("jbuild/run-1-b/memory.oom_control"),
        "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    assertTrue(cgroup.oomKilled());
  }

  @Test
  void legacy_missingController_failsAndLeavesNothing() throws Exception {
    Path memory = Files.createDirectories(fs.resolve("memory"));
    CgroupHost host = new CgroupHost(CgroupHost.Mode.LEGACY, null, Map.of(memory, "memory"));
    RunnerException e = assertThrows(RunnerException.class,
        () -> Cgroup.create(host, "run-1-c", ResourceLimits.of(0, 5)));
    assertTrue(e.getMessage().contains("'pids' is not mounted"), e.getMessage());
    assertFalse(Files.exists(memory.resolve("jbuild/run-1-c")));
  }

  @Test
  void devicePolicy_v1RulesElseEbpfElseNone() throws Exception {
    Path devices = Files.createDirectories(fs.resolve("devices"));
    Path unified = Files.createDirectories(fs.resolve("unified"));
    CgroupHost hybrid = new CgroupHost(CgroupHost.Mode.HYBRID, unified, Map.of(devices, "devices"));
    Cgroup v1 = Cgroup.create(hybrid, "run-1-d", ResourceLimits.none());
    assertEquals(DevicePolicy.Enforcement.CGROUP_V1, v1.devicePolicy().enforcement());
    // Deny-all first; the fake file keeps only the last of the one-rule writes.
    assertEquals("a", Files.readString(devices.resolve("jbuild/run-1-d/devices.deny")));
    assertEquals("c 10:200 rwm", Files.readString(devices.resolve("jbuild/run-1-d/devices.allow")));
    assertTrue(v1.procsFiles().contains(devices.resolve("jbuild/run-1-d/cgroup.procs")));

    Cgroup forced = Cgroup.create(hybrid, "run-1-e", ResourceLimits.none(), false);
    assertEquals(DevicePolicy.none(), forced.devicePolicy());
    assertFalse(Files.exists(devices.resolve("jbuild/run-1-e")));

    CgroupHost v2 = new CgroupHost(CgroupHost.Mode.UNIFIED, unified, Map.of());
    assertEquals(new DevicePolicy(DevicePolicy.Enforcement.EBPF, unified.resolve("jbuild/run-1-f")),
        Cgroup.create(v2, "run-1-f", ResourceLimits.none()).devicePolicy());
    CgroupHost legacy = new CgroupHost(CgroupHost.Mode.LEGACY, null, Map.of());
    assertEquals(DevicePolicy.none(), Cgroup.create(legacy, "run-1-g", ResourceLimits.none())
        .devicePolicy());
  }

  @Test
  void sweep_removesOnlyCgroupsOfDeadOwners() throws Exception {
    Path root = Files.createDirectories(fs.resolve("cgroup"));
    CgroupHost host = new CgroupHost(CgroupHost.Mode.UNIFIED, root, Map.of());
    long self = ProcessHandle.current().pid();
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    Files.createDirectories(root.resolve("jbuild/run-" + self + "-live"));
    Files.createDirectories(root.resolve("jbuild/run-" + dead.pid() + "-gone"));
    Files.createDirectories(root.resolve("jbuild/other"));
    List<String> removed = Cgroup.sweep(host,
        name -> name.startsWith("run-") && Owners.isStale(name.substring(4)));
    assertEquals(List.of("run-" + dead.pid() + "-gone"), removed);
    assertTrue(Files.isDirectory(root.resolve("jbuild/run-" + self + "-live")));
    assertTrue(Files.isDirectory(root.resolve("jbuild/other")));
  }

  @Test
  void mountinfo_v1ControllersAndNamedHierarchies() {
    String mountinfo = String.join("\n",
        "25 30 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755",
        "26 25 0:23 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate",
        "27 25 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd",
        "28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
        "29 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
        "30 25 0:27 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset,clone_children",
        "31 25 0:28 / /sys/fs/cgroup/my\\040dir rw - cgroup cgroup rw,pids");
    Map<Path, String> mounts = CgroupHost.v1Mounts(mountinfo);
    assertEquals("name=systemd", mounts.get(Path.of("/sys/fs/cgroup/systemd")));
    assertEquals("cpu,cpuacct", mounts.get(Path.of("/sys/fs/cgroup/cpu,cpuacct")));
    assertEquals("cpuset", mounts.get(Path.of("/sys/fs/cgroup/cpuset")));
    assertEquals("pids", mounts.get(Path.of("/sys/fs/cgroup/my dir")));
    assertEquals(5, mounts.size());
    CgroupHost host = new CgroupHost(CgroupHost.Mode.HYBRID, Path.of("/sys/fs/cgroup/unified"),
        mounts);
    assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), host.v1Mount("cpuacct"));
    assertEquals(null, host.v1Mount("blkio"));
  }
}
