package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link MountPoints}: what an in-place root must never wipe. */
class MountPointsTest {
  @TempDir Path tmp;

  @Test
  void under_listsMountPointsBelowTheRootRelativeToIt() throws Exception {
    Path info = tmp.resolve("mountinfo");
    Files.writeString(info, String.join("\n",
        "22 1 0:21 / / rw,relatime - overlay overlay rw",
        "23 22 0:22 / /proc rw - proc proc rw",
        "24 22 8:1 /ctx /workspace rw - ext4 /dev/sda1 rw",
        "25 22 8:1 /x /my\\040volume rw - ext4 /dev/sda1 rw",
        "26 22 8:1 /etc/hosts /etc/hosts rw - ext4 /dev/sda1 rw",
        "27 22 8:1 /y /other/root/inner rw - ext4 /dev/sda1 rw",
        "27 22 8:1 /y /workspace rw - ext4 /dev/sda1 rw", ""));
    assertEquals(List.of("proc", "workspace", "my volume", "etc/hosts", "other/root/inner"),
        MountPoints.under(Path.of("/"), info));
    assertEquals(List.of("inner"), MountPoints.under(Path.of("/other/root"), info));
  }

  @Test
  void decode_undoesOctalEscapesOnly() {
    assertEquals("a b\\c", MountPoints.decode("a\\040b\\134c"));
    assertEquals("plain\\x", MountPoints.decode("plain\\x"));
  }
}
