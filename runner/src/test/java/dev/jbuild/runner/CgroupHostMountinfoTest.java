package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10 item 6: a mount point whose name is not UTF-8 (a USB stick's Latin-1 label, a user's
 * FUSE mount) appears in {@code /proc/self/mountinfo}, and reading that strictly made {@link
 * CgroupHost#detect} fail with "Input length = 1" on hybrid and legacy hosts, so no container
 * could start. The mount is made in a private mount namespace ({@code unshare -m}) around a child
 * JVM, so the host never sees it. Needs root.
 */
@Tag("root")
class CgroupHostMountinfoTest {
  @TempDir Path tmp;

  @Test
  void detect_mountPointNotUtf8_stillDetectsLayout() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // The shell makes the name (printf's octal escape gives the raw byte 0xE9) and removes it
    // again, as Java cannot name it when file names are decoded as UTF-8.
    String script = "d=\"$1/$(printf 'caf\\351')\"; mkdir \"$d\" && mount -t tmpfs jbuild-test \"$d\""
        + " || exit 99; \"$2\" -cp \"$3\" \"$4\"; rc=$?;"
        + " umount \"$d\"; rmdir \"$d\"; exit $rc";
    Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
        script, "sh", tmp.toString(), java, System.getProperty("java.class.path"),
        Probe.class.getName())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), output);
    assertTrue(output.startsWith("mode "), output);
  }

  /** The child JVM: detects the layout and prints it, or fails with the exception. */
  public static final class Probe {
    private Probe() {}

    public static void main(String[] args) throws Exception {
      System.out.println("mode " + CgroupHost.detect().mode());
    }
  }
}
