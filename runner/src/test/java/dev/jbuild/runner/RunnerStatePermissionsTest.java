package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10 item 2: the runner's state dir and the per-run dirs (each container's rootfs mount
 * point and generated /etc files) are private to root, and a container running as a non-root
 * user still works with its lowerdir and upperdir under such private dirs (overlay and bind
 * sources are resolved by root at mount time). Needs root.
 */
@Tag("root")
class RunnerStatePermissionsTest {
  @TempDir Path tmp;

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void create_stateAndRunDirs_areOwnerOnly_andNonRootUserStillRuns() throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path state = tmp.resolve("state");
    Path runs = Path.of("/run/jbuild/runs");
    if (Files.isDirectory(runs)) {
      // As an older jbuild left it on this machine, so the runner must tighten it.
      Files.setPosixFilePermissions(runs, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path private0700 = Files.createDirectory(tmp.resolve("private"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path lower = BusyboxRootfs.create(private0700.resolve("lower"));
    Files.writeString(lower.resolve("etc/marker"), "visible\n");
    Path upper = Files.createDirectories(private0700.resolve("upper"));
    Files.setPosixFilePermissions(upper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path work = Files.createDirectories(private0700.resolve("work"));

    try (ContainerRunner runner = ContainerRunner.create(state)) {
      assertEquals("rwx------", mode(state));
      if (Files.isDirectory(Path.of("/run"))) {
        assertEquals("rwx------", mode(runs));
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      ExitStatus status = runner.run(ContainerSpec.builder().lowerDirs(List.of(lower))
          .upperDir(upper).workDir(work).env(List.of("PATH=/bin")).user("nobody")
          .args("sh", "-c", "cat /etc/marker && id -u && ls / >/dev/null && echo ok").build(),
          out, err, Duration.ofSeconds(30));
      assertEquals(0, status.exitCode(), err.toString(StandardCharsets.UTF_8));
      assertEquals("visible\n65534\nok\n", out.toString(StandardCharsets.UTF_8));
    }
  }
}
