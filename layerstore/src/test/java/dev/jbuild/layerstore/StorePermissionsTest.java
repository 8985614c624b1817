package dev.jbuild.layerstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10 item 2: the store and its unpacked layers were created 0755, so any local user could
 * run an image's setuid-root binary from {@code <store>/snapshots/N/} and get euid 0.
 */
class StorePermissionsTest {
  @TempDir Path tmp;

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void open_newStore_rootAndUnpackedContentDirsAreOwnerOnly() throws IOException {
    Path parent = Files.createDirectories(tmp.resolve("var/lib"));
    LayerStore store = LayerStore.open(parent.resolve("jbuild"));

    assertEquals("rwx------", mode(store.root()));
    for (String dir : List.of("snapshots", "tmp", "cache", "containers", "runner")) {
      assertEquals("rwx------", mode(store.root().resolve(dir)), dir);
    }
    assertEquals("rwxr-xr-x", mode(parent), "parents keep the default mode");
  }

  @Test
  void open_existingStoreOpenToOthers_isRestricted() throws IOException {
    Path root = tmp.resolve("store");
    List<Path> planted = new ArrayList<>(List.of(root));
    for (String dir : List.of("snapshots", "tmp", "cache", "containers", "runner")) {
      planted.add(root.resolve(dir));
    }
    for (Path dir : planted) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.createDirectories(root.resolve("snapshots/1"));
    Files.setPosixFilePermissions(root.resolve("snapshots/1"),
        PosixFilePermissions.fromString("rwxr-xr-x"));

    LayerStore.open(root);

    for (Path dir : planted) {
      assertEquals("rwx------", mode(dir), dir.toString());
    }
    assertEquals("rwxr-xr-x", mode(root.resolve("snapshots/1")),
        "a snapshot's own mode is the image's / and must not change");
  }

  /**
   * The attack itself: an image with a setuid-root program is unpacked into the store, then an
   * unprivileged user tries to run it from {@code snapshots/} and to list the store. Both must
   * fail with "Permission denied". Needs root, gcc (with a static libc) and useradd.
   */
  @Test
  @Tag("root")
  void snapshots_setuidBinary_cannotBeRunByOtherUsers() throws Exception {
    // The test dir is 0700; open it so that only the store's own mode protects the store.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
    Path source = Files.writeString(tmp.resolve("euid.c"),
        "#include <stdio.h>\n#include <unistd.h>\n"
            + "int main(void) { printf(\"euid=%d\\n\", (int) geteuid()); return 0; }\n");
    Path binary = rootfs.resolve("euid");
    exec(List.of("gcc", "-static", "-o", binary.toString(), source.toString()));
    Files.setAttribute(binary, "unix:mode", 04755);

    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Image image = new RootfsImporter(store).importRootfs(rootfs, Platform.parse("linux/amd64"),
        "setuid test");
    Path unpacked = store.snapshots().prepare(image.layers()).absoluteLowerDirsTopFirst().get(0)
        .resolve("euid");
    assertEquals(04755, (int) Files.getAttribute(unpacked, "unix:mode") & 07777,
        "the snapshot keeps the setuid bit, so the attack is real");

    String user = "jbst" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    useradd(user);
    try {
      Result run = exec(asUser(user, unpacked.toString()));
      assertFalse(run.output().contains("euid=0"), "another user got euid 0: " + run.output());
      assertNotEquals(0, run.code());
      assertTrue(run.output().contains("Permission denied"), run.output());

      Result list = exec(asUser(user, "ls", store.root().toString()));
      assertNotEquals(0, list.code());
      assertTrue(list.output().contains("Permission denied"), list.output());

      Result control = exec(asUser(user, "ls", tmp.toString()));
      assertEquals(0, control.code(), "the user can reach the store's parent: " + control);
    } finally {
      exec(List.of("userdel", user));
    }
  }

  /**
   * Runs {@code command} as {@code user} through a shell, as that user would. The shell matters:
   * setpriv still holds root's effective capabilities during its own execve, which would resolve
   * the path with CAP_DAC_OVERRIDE; they are gone only in the program it starts.
   */
  private static List<String> asUser(String user, String... command) {
    List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user,
        "--clear-groups", "--", "sh", "-c", "exec \"$@\"", "sh"));
    cmd.addAll(List.of(command));
    return cmd;
  }

  private static void useradd(String user) throws Exception {
    // Retried: useradd fails while another process holds the lock on /etc/passwd.
    for (int attempt = 1; ; attempt++) {
      Result r = exec(List.of("useradd", "--no-create-home", "--user-group",
          "--shell", "/bin/sh", user));
      if (r.code() == 0) {
        return;
      }
      if (attempt == 5) {
        throw new AssertionError("useradd " + user + " failed: " + r.output());
      }
      Thread.sleep(200L * attempt);
    }
  }

  private record Result(int code, String output) {}

  private static Result exec(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    if (command.get(0).equals("gcc") && code != 0) {
      throw new AssertionError("gcc failed: " + output);
    }
    return new Result(code, output);
  }
}
