package dev.jbuild.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether a user namespace may mount a new {@code proc} here. The kernel allows it only while a
 * fully visible proc is in the mount namespace ({@code mount_too_revealing}, fs/namespace.c): a
 * proc with no locked mount on top of anything but an empty directory. A container runtime masks
 * paths of its {@code /proc} ({@code /proc/kcore}, {@code /proc/acpi}, read-only {@code
 * /proc/sys}: runc's maskedPaths and readonlyPaths), so inside {@code docker run} as a non-root
 * user (issue 12's mode D) the kernel refuses a new proc ("mount proc: Operation not permitted")
 * and rootless containers must bind the existing one instead, without a PID namespace of their
 * own (BuildKit's {@code --oci-worker-no-process-sandbox}).
 */
final class ProcVisibility {
  /** The one mount below /proc a host normally has; it sits on an empty sysctl directory. */
  private static final String BINFMT_MISC = "sys/fs/binfmt_misc";

  private ProcVisibility() {}

  /**
   * True when {@code /proc} has mounts on it (other than {@code binfmt_misc}), as the masks of a
   * container runtime: then no new proc can be mounted from a user namespace.
   *
   * @param mountinfo this process's {@code /proc/self/mountinfo}
   */
  static boolean masked(Path mountinfo) {
    try {
      List<String> below = MountPoints.under(Path.of("/proc"), mountinfo);
      return below.stream().anyMatch(p -> !p.equals(BINFMT_MISC));
    } catch (IOException e) {
      // Unreadable mountinfo: try a fresh proc; if refused, rrun says so in one line.
      return false;
    }
  }
}
