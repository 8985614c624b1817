package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link RunDirs}: run-dir contents, sweeping dirs of dead JVMs, owner-only modes. */
class RunDirsTest {
  @TempDir
  Path state;

  @Test
  void prepare_writesEtcFilesAndMountsThemFirst() throws Exception {
    Path runDir = state.resolve("run");
    BindMount user = new BindMount(state, "/data", false);
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(Path.of("/l")))
        .upperDir(Path.of("/u")).workDir(Path.of("/w")).args("true").hostname("box")
        .addMount(user).build();
    List<BindMount> mounts = RunDirs.prepare(spec, runDir);
    assertTrue(Files.isDirectory(runDir.resolve("rootfs")));
    assertEquals(List.of(new BindMount(runDir.resolve("etc/hosts"), "/etc/hosts", true),
        new BindMount(runDir.resolve("etc/resolv.conf"), "/etc/resolv.conf", true),
        new BindMount(runDir.resolve("etc/hostname"), "/etc/hostname", true), user), mounts);
    assertEquals("box\n", Files.readString(runDir.resolve("etc/hostname")));
  }

  @Test
  void sweep_removesOnlyDirsOfDeadOwners() throws Exception {
    Path runs = Files.createDirectories(state.resolve("runs"));
    // pid_max is at most 2^22, so this owner cannot exist.
    Path dead = Files.createDirectories(runs.resolve("99999999-abc/etc"));
    Files.writeString(dead.resolve("hosts"), "x");
    Path live = Files.createDirectories(runs.resolve(Owners.name("def")));
    List<String> removed = new RunDirs(state).sweep();
    assertTrue(removed.contains("99999999-abc"), removed.toString());
    assertFalse(Files.exists(runs.resolve("99999999-abc")));
    assertTrue(Files.isDirectory(live));
  }

  @Test
  void ownerOnly_createsAndTightensTo0700() throws Exception {
    Path dir = state.resolve("a/b");
    RunDirs.ownerOnly(dir);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    RunDirs.ownerOnly(dir);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
  }

  @Test
  void readStatusQuietly_nullWithoutAReport() throws Exception {
    assertNull(RunDirs.readStatusQuietly(state.resolve("status")));
    Files.writeString(state.resolve("status"), "{\"exit\":0}\n");
    assertEquals(0, RunDirs.readStatusQuietly(state.resolve("status")).exit);
  }
}
