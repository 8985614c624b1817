package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run under {@code --cgroup-parent} whose JVM is killed with -9 leaves its cgroup under that
 * parent, in the real hierarchies; the next runner on the same state dir must sweep it there
 * (not only under {@code jbuild/}), and leave everything else under the parent alone: the
 * parent itself and cgroups jbuild did not make, even ones named much like ours. Needs root.
 */
@Tag("root")
class CgroupParentSweepTest {
  @TempDir Path tmp;

  @Test
  void crashedRunUnderACustomParent_isSwept_andNothingElseThere() throws Exception {
    CgroupHost host = CgroupHost.detect();
    String top = "jbuild-sweep-test-" + UUID.randomUUID().toString().substring(0, 8);
    String parent = top + "/ci";
    Path lower = BusyboxRootfs.create(tmp.resolve("lower"));
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path state = tmp.resolve("state");
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    // Not ours: a name in our form's spirit but not its letter, and an unrelated one.
    List<String> foreign = List.of("run-" + dead.pid() + "-notours", "keep");
    try {
      long child = RunnerLeakTest.runAndKillChildJvm(state, lower, upper, work,
          List.of("/" + parent));
      List<Path> parents = parentDirs(host, parent);
      assertFalse(parents.isEmpty(), "the child made no cgroup under " + parent);
      for (Path dir : parents) {
        for (String name : foreign) {
          Files.createDirectory(dir.resolve(name));
        }
      }
      assertFalse(runCgroups(parents, child).isEmpty(), "the killed run left no cgroup");

      try (ContainerRunner sweeper = ContainerRunner.create(state)) {
        assertEquals(List.of(), sweeper.sweepStale(), "create() swept already");
      }
      assertEquals(List.of(), runCgroups(parents, child), "after the sweep");
      assertEquals(List.of(), RunnerLeakTest.processes("60017"), "no container process survives");
      for (Path dir : parents) {
        assertTrue(Files.isDirectory(dir), "the parent " + dir + " is the user's: kept");
        for (String name : foreign) {
          assertTrue(Files.isDirectory(dir.resolve(name)), dir.resolve(name) + " is not ours");
        }
      }
    } finally {
      // Children first, then the parent and its top, in every hierarchy; rmdir only.
      for (Path dir : parentDirs(host, parent)) {
        try (var children = Files.list(dir)) {
          for (Path c : children.filter(Files::isDirectory).toList()) {
            Files.deleteIfExists(c);
          }
        }
        Files.deleteIfExists(dir);
        Files.deleteIfExists(dir.getParent());
      }
    }
  }

  /** {@code parent}'s directory in every hierarchy jbuild uses, where it exists. */
  private static List<Path> parentDirs(CgroupHost host, String parent) {
    List<Path> dirs = new ArrayList<>();
    if (host.mode() != CgroupHost.Mode.UNIFIED) {
      for (String controller : List.of("memory", "pids", "cpu", "devices")) {
        Path mount = host.v1Mount(controller);
        if (mount != null && !dirs.contains(mount.resolve(parent))) {
          dirs.add(mount.resolve(parent));
        }
      }
    }
    if (host.unified() != null) {
      dirs.add(host.unified().resolve(parent));
    }
    dirs.removeIf(d -> !Files.isDirectory(d));
    return dirs;
  }

  private static List<Path> runCgroups(List<Path> parents, long owner) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path dir : parents) {
      try (var children = Files.list(dir)) {
        children.filter(c -> c.getFileName().toString().startsWith("run-" + owner + "-"))
            .forEach(found::add);
      }
    }
    return found;
  }
}
