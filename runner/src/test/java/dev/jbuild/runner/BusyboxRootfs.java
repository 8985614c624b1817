package dev.jbuild.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test helper: a minimal image root made of the host's static busybox. */
final class BusyboxRootfs {
  static final List<String> APPLETS = List.of("sh", "echo", "ls", "cat", "rm", "mkdir", "id",
      "hostname", "sleep", "touch", "ps", "ifconfig", "mount", "env", "pwd", "true", "grep",
      "stat", "kill", "wc", "head", "unshare", "wget", "tty", "dd", "cut");

  private BusyboxRootfs() {}

  static Path create(Path dir) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
    for (String applet : APPLETS) {
      Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
    }
    Path etc = Files.createDirectories(dir.resolve("etc"));
    Files.writeString(etc.resolve("passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
    Files.writeString(etc.resolve("group"), "root:x:0:\nwheel:x:10:root,nobody\nnogroup:x:65534:\n");
    Files.createDirectories(dir.resolve("data/keep"));
    Files.writeString(dir.resolve("data/keep/old.txt"), "old\n");
    Files.writeString(dir.resolve("data/gone.txt"), "bye\n");
    return dir;
  }
}
