package dev.jbuild.builder.exec;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.oci.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Whether this machine can run a platform's binaries: natively, or through a {@code binfmt_misc}
 * handler (QEMU user emulation, as BuildKit relies on). The handler must have the {@code F}
 * (fix binary) flag, which makes the kernel open the interpreter when it is registered, so it
 * works inside a container whose root has no QEMU; Debian's {@code qemu-user-static} registers
 * its handlers that way.
 */
public final class Emulation {
  /** The binfmt_misc directory; a test may point it elsewhere. */
  static Path binfmtDir = Path.of("/proc/sys/fs/binfmt_misc");

  /** GOARCH → QEMU's name of the architecture, as in the handlers' names ({@code qemu-NAME}). */
  private static final Map<String, String> QEMU = Map.of("arm64", "aarch64", "arm", "arm",
      "386", "i386", "amd64", "x86_64", "ppc64le", "ppc64le", "s390x", "s390x",
      "riscv64", "riscv64", "mips64le", "mips64el", "mips64", "mips64");

  private Emulation() {}

  /** True when {@code platform}'s binaries run here without emulation. */
  public static boolean isNative(Platform platform) {
    Platform host = Platform.host();
    if (!platform.os().equals(host.os())) {
      return false;
    }
    return platform.architecture().equals(host.architecture())
        // x86_64 kernels run i386 code; 32-bit arm on arm64 is not everywhere, so it takes a
        // handler like any foreign platform.
        || host.architecture().equals("amd64") && platform.architecture().equals("386");
  }

  /**
   * Returns when RUN steps of {@code platform} can execute here.
   *
   * @throws BuildException naming the missing handler and the Debian package that provides it
   */
  public static void require(Platform platform) throws BuildException {
    if (platform == null || isNative(platform)) {
      return;
    }
    if (!platform.os().equals("linux")) {
      throw new BuildException("cannot run RUN steps for platform " + platform + ": only linux"
          + " binaries can run here");
    }
    String qemu = QEMU.getOrDefault(platform.architecture(), platform.architecture());
    Path handler = binfmtDir.resolve("qemu-" + qemu);
    List<String> lines;
    try {
      lines = Files.readAllLines(handler);
    } catch (IOException e) {
      String why = Files.isRegularFile(binfmtDir.resolve("register"))
          ? "no binfmt_misc handler " + handler + " is registered"
          : binfmtDir + " is not mounted (mount -t binfmt_misc binfmt_misc " + binfmtDir + ")";
      throw new BuildException("cannot run RUN steps for platform " + platform + " on this "
          + Platform.host() + " machine: " + why + "; install Debian's qemu-user-static (and"
          + " binfmt-support), which registers QEMU user emulation for it");
    }
    if (!lines.contains("enabled")) {
      throw new BuildException("cannot run RUN steps for platform " + platform + ": the"
          + " binfmt_misc handler " + handler + " is disabled; enable it (update-binfmts"
          + " --enable qemu-" + qemu + ")");
    }
    String flags = lines.stream().filter(l -> l.startsWith("flags:")).findFirst().orElse("");
    if (!flags.substring(Math.min(flags.length(), 6)).contains("F")) {
      throw new BuildException("cannot run RUN steps for platform " + platform + ": the"
          + " binfmt_misc handler " + handler + " lacks the F (fix binary) flag, so its"
          + " interpreter cannot be found inside a container; install Debian's"
          + " qemu-user-static, whose handlers have it");
    }
  }
}
