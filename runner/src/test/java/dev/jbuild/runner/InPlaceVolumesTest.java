package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mount points of an in-place root that are volumes ({@link InPlaceRunner#volumes}). */
class InPlaceVolumesTest {
  @TempDir Path tmp;

  @Test
  void volumes_leaveOutKernelFsDevEngineFilesJbuildAndOurState() {
    Path root = Path.of("/");
    List<String> mounts = List.of("proc", "proc/kcore", "sys", "sys/fs/cgroup", "dev",
        "dev/shm", "etc/hosts", "etc/resolv.conf", "jbuild", "jbuild/state", "out", "workspace",
        "var/lib/jbuild", "var/lib/jbuild/cache", "run/secrets/kubernetes.io", "out");
    // var/lib/jbuild holds our state; its sibling mount "cache" is an ordinary volume.
    assertEquals(List.of("out", "workspace", "var/lib/jbuild/cache"),
        InPlaceContainerRunner.volumes(root, mounts, Path.of("/var/lib/jbuild/state")));
  }

  /** A real bind mount below the root is kept from wipes and reported as a volume. */
  @Test
  @Tag("root")
  void create_reportsABindMountBelowTheRoot() throws Exception {
    Path root = BusyboxRootfs.create(tmp.resolve("root"));
    Path out = Files.createDirectories(root.resolve("out"));
    Path source = Files.createDirectories(tmp.resolve("volume"));
    exec("mount", "--bind", source.toString(), out.toString());
    try {
      InPlaceContainerRunner runner = InPlaceContainerRunner.create(tmp.resolve("state"), root,
          List.of());
      assertEquals(List.of("out"), runner.volumes());
      assertTrue(runner.hostPaths().contains("out"), runner.hostPaths().toString());
    } finally {
      exec("umount", out.toString());
    }
  }

  private static void exec(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertEquals(0, p.waitFor(), String.join(" ", command));
  }
}
