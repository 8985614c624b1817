package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link ProcVisibility} and rrun's {@code boundProc}: rootless containers where no new
 * proc can be mounted (a non-root user inside {@code docker run}, issue 12's mode D) bind this
 * process's {@code /proc} and {@code /sys} and share its PID namespace. What the command sees
 * there is tested end to end, with the id ranges a real container needs, by the samples'
 * {@code RootlessContainerIntegrationTest}.
 */
class BoundProcTest {
  @TempDir Path dir;

  @Test
  void masked_onlyForMountsBelowProcOtherThanBinfmtMisc() throws Exception {
    Path host = dir.resolve("host");
    Files.writeString(host, String.join("\n",
        "22 1 8:1 / / rw,relatime - ext4 /dev/vda rw",
        "23 22 0:22 / /proc rw,nosuid,nodev,noexec - proc proc rw",
        "24 23 0:40 / /proc/sys/fs/binfmt_misc rw - autofs systemd-1 rw",
        "25 22 0:23 / /sys rw - sysfs sysfs rw",
        "26 22 0:24 / /processes rw - tmpfs tmpfs rw", ""));
    assertFalse(ProcVisibility.masked(host), "a host's /proc is fully visible");

    // What Docker gives a container (runc's maskedPaths and readonlyPaths).
    Path docker = dir.resolve("docker");
    Files.writeString(docker, String.join("\n",
        "600 500 0:50 / / rw - overlay overlay rw",
        "601 600 0:52 / /proc rw,nosuid,nodev,noexec - proc proc rw",
        "602 601 0:52 /bus /proc/bus ro,nosuid,nodev,noexec - proc proc rw",
        "603 601 0:5 /null /proc/kcore rw,nosuid - devtmpfs udev rw",
        "604 601 0:57 / /proc/acpi ro - tmpfs tmpfs ro", ""));
    assertTrue(ProcVisibility.masked(docker));

    assertFalse(ProcVisibility.masked(dir.resolve("missing")), "unreadable: try a fresh proc");
  }

  @Test
  void toJson_boundProcOnlyWhenAsked() throws Exception {
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(Path.of("/l")))
        .upperDir(Path.of("/u")).workDir(Path.of("/w")).args("true").build();
    String bound = new String(RrunSpec.toJson(spec, new RrunSpec.Runtime(Path.of("/r"), List.of(),
        List.of(), List.of(), null, false, DevicePolicy.none(), true, true)));
    assertTrue(bound.contains("\"boundProc\":true"), bound);
    String fresh = new String(RrunSpec.toJson(spec, new RrunSpec.Runtime(Path.of("/r"), List.of(),
        List.of(), List.of(), null, false, DevicePolicy.none(), true)));
    assertFalse(fresh.contains("boundProc"), fresh);
  }

  /** rrun refuses {@code boundProc} outside a user namespace: as root it would bind the host's. */
  @Test
  void rrun_boundProcWithoutUserns_isRefusedBeforeAnythingRuns() throws Exception {
    Path marker = dir.resolve("ran");
    String spec = "{\"rootfs\":\"/r\",\"lowerDirs\":[\"/l\"],\"upperDir\":\"/u\","
        + "\"workDir\":\"/w\",\"args\":[\"touch\",\"" + marker + "\"],\"boundProc\":true}";
    Path specFile = Files.writeString(dir.resolve("spec.json"), spec);
    Path status = dir.resolve("status");
    Process p = new ProcessBuilder(RrunBinary.extract(dir.resolve("state")).toString(),
        specFile.toString(), status.toString()).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertEquals(125, p.waitFor());
    assertTrue(Files.readString(status).contains("boundProc is only valid with userns"),
        Files.readString(status));
    assertFalse(Files.exists(marker));
  }
}
