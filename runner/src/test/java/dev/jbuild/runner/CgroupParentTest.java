package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ResourceLimits#cgroupParent()} ({@code docker build --cgroup-parent}) against a fake
 * cgroupfs (plain directories, as {@link CgroupTest}): where the run's cgroup goes, and the names
 * refused. The real hierarchies are covered by the samples' BuildKit suite (testCgroupParent).
 */
class CgroupParentTest {
  @TempDir Path fs;

  @Test
  void legacy_runCgroupGoesUnderTheParentInEveryHierarchy() throws Exception {
    Path memory = Files.createDirectories(fs.resolve("memory"));
    Path pids = Files.createDirectories(fs.resolve("pids"));
    CgroupHost host = new CgroupHost(CgroupHost.Mode.LEGACY, null,
        Map.of(memory, "memory", pids, "pids"));
    Cgroup cgroup = Cgroup.create(host, "run-1-p",
        new ResourceLimits(32L << 20, 0, 0, 0, "/ci/builds"));
    assertTrue(Files.isDirectory(memory.resolve("ci/builds/run-1-p")));
    assertTrue(Files.isDirectory(pids.resolve("ci/builds/run-1-p")));
    assertFalse(Files.exists(memory.resolve("jbuild")));
    assertEquals(String.valueOf(32L << 20),
        Files.readString(memory.resolve("ci/builds/run-1-p/memory.limit_in_bytes")));
    assertTrue(cgroup.procsFiles().contains(pids.resolve("ci/builds/run-1-p/cgroup.procs")));
  }

  @Test
  void unified_makesTheParentPath() throws Exception {
    Path root = Files.createDirectories(fs.resolve("cgroup"));
    Files.writeString(root.resolve("cgroup.controllers"), "memory pids\n");
    Files.writeString(root.resolve("cgroup.subtree_control"), "");
    CgroupHost host = new CgroupHost(CgroupHost.Mode.UNIFIED, root, Map.of());
    Cgroup.create(host, "run-1-q", new ResourceLimits(0, 0, 0, 7, "a/b"));
    // A plain directory has no cgroup.controllers: only the root's subtree_control is written.
    assertEquals("7", Files.readString(root.resolve("a/b/run-1-q/pids.max")));
    assertTrue(Files.readString(root.resolve("cgroup.subtree_control")).contains("+pids"));
  }

  @Test
  void names_relativeToTheRoot_andNothingThatLeavesIt() {
    assertEquals("builds", ResourceLimits.checkCgroupParent("/builds"));
    assertEquals("ci/builds.slice", ResourceLimits.checkCgroupParent("ci/builds.slice"));
    assertNull(ResourceLimits.checkCgroupParent(""));
    assertNull(ResourceLimits.checkCgroupParent("/"));
    assertNull(ResourceLimits.none().cgroupParent());
    for (String bad : List.of("..", "../x", "a/../../x", "a//b", "a/", "./a", "a/./b", "a b",
        "a\0b", "a\nb", "//")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new ResourceLimits(0, 0, 0, 0, bad), bad);
      assertTrue(e.getMessage().startsWith("invalid --cgroup-parent"), e.getMessage());
    }
  }

  /**
   * The state file that steers the sweep: parents are kept once each, and lines that are no
   * valid parent (a climb, the root, {@code jbuild} itself, junk) are never returned.
   */
  @Test
  void recordedParents_onlyValidOnes_once() throws Exception {
    CgroupParents parents = new CgroupParents(fs);
    parents.remember("ci/builds");
    parents.remember("ci/builds");
    new CgroupParents(fs).remember("ci/builds");
    Files.writeString(fs.resolve("cgroup-parents"), "../../etc\n/\n\njbuild\na//b\n"
        + "/other\n", java.nio.file.StandardOpenOption.APPEND);
    assertEquals(List.of("ci/builds", "other"), new CgroupParents(fs).list());
    assertEquals(List.of(), new CgroupParents(fs.resolve("missing")).list());
  }

  /**
   * The sweep under a user's parent removes only stale cgroups of our exact form, and never
   * the parent itself, even when nothing of ours is left in it.
   */
  @Test
  void sweep_underOtherParents_removesOnlyOurStaleCgroups() throws Exception {
    Path memory = Files.createDirectories(fs.resolve("memory"));
    Path unified = Files.createDirectories(fs.resolve("unified"));
    CgroupHost host = new CgroupHost(CgroupHost.Mode.HYBRID, unified, Map.of(memory, "memory"));
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    String ours = "run-" + dead.pid() + "-0123456789ab";
    String live = "run-" + ProcessHandle.current().pid() + "-0123456789ab";
    List<String> names = List.of(ours, live, "run-" + dead.pid() + "-notours", "other");
    for (Path root : List.of(memory, unified)) {
      for (String name : names) {
        Files.createDirectories(root.resolve("ci/builds").resolve(name));
      }
      Files.createDirectories(root.resolve("jbuild").resolve(ours));
    }
    List<String> removed = Cgroup.sweep(host, List.of("ci/builds"),
        n -> CgroupParents.RUN_CGROUP.matcher(n).matches() && Owners.isStale(n.substring(4)));
    assertEquals(List.of(ours, ours), removed, "once under jbuild/, once under ci/builds/");
    for (Path root : List.of(memory, unified)) {
      assertFalse(Files.exists(root.resolve("ci/builds").resolve(ours)));
      assertFalse(Files.exists(root.resolve("jbuild").resolve(ours)));
      for (String name : names.subList(1, names.size())) {
        assertTrue(Files.isDirectory(root.resolve("ci/builds").resolve(name)), name);
      }
    }
  }
}
