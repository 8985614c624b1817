package dev.jbuild.samples.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.samples.Jbuild;
import dev.jbuild.samples.TestUsers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the store through the real {@code jbuild} CLI (issue #10 items 2 and 6): a local
 * user reaching unpacked image content, an older store left open, and Dockerfiles that are not
 * UTF-8. Runs as root with gcc (static libc), setpriv and useradd; the store's parent is opened to
 * everyone so that only the store's own modes protect it.
 */
@Tag("root")
class StoreAttackTest {
  @TempDir static Path work;
  static Jbuild jbuild;

  @BeforeAll
  static void baseImage() throws Exception {
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  /**
   * Attack: build an image with a setuid-root program (as any image may hold), then, as another
   * local user, run it straight from {@code <store>/snapshots/N/} to get euid 0, or list the store.
   * Must happen: both fail with "Permission denied" (the store is 0700), while the build's own
   * {@code USER nobody} step and {@code jbuild run -u nobody} still work.
   */
  @Test
  void setuidBinaryInSnapshots_otherUserCannotRunIt() throws Exception {
    Path context = Files.createDirectories(work.resolve("suid-ctx"));
    Path source = Files.writeString(work.resolve("euid.c"),
        "#include <stdio.h>\n#include <unistd.h>\n"
            + "int main(void) { printf(\"euid=%d\\n\", (int) geteuid()); return 0; }\n");
    exec(List.of("gcc", "-static", "-o", context.resolve("euid").toString(), source.toString()))
        .assertSuccess("gcc");
    Files.writeString(context.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        + "COPY euid /euid\n"
        + "RUN chmod 4755 /euid\n"
        + "USER nobody\n"
        + "RUN id -u && cat /etc/passwd >/dev/null\n");
    jbuild.run("build", "--network", "none", "-t", "attack/suid:1", context.toString())
        .assertSuccess();
    Jbuild.Result asNobody = jbuild.run("run", "--rm", "--network", "none", "-u", "nobody",
        "attack/suid:1", "sh", "-c", "id -u; /euid");
    assertEquals("65534\neuid=0\n", asNobody.assertSuccess().stdout(),
        "inside the container the image's setuid bit works as in docker");

    Path root = jbuild.root();
    List<Path> unpacked = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root.resolve("snapshots"))) {
      files.filter(p -> p.getFileName().toString().equals("euid")).forEach(unpacked::add);
    }
    List<Path> setuid = new ArrayList<>();
    for (Path p : unpacked) {
      if (((int) Files.getAttribute(p, "unix:mode") & 04000) != 0) {
        setuid.add(p);
      }
    }
    assertFalse(setuid.isEmpty(), "the setuid program is unpacked in snapshots/: " + unpacked);

    String user = "jbsa" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    TestUsers.add(user);
    try {
      for (Path p : setuid) {
        Result run = exec(asUser(user, p.toString()));
        assertFalse(run.output().contains("euid=0"), "another user got euid 0 from " + p);
        assertNotEquals(0, run.code());
        assertTrue(run.output().contains("Permission denied"), run.output());
      }
      Result list = exec(asUser(user, "ls", root.toString()));
      assertTrue(list.code() != 0 && list.output().contains("Permission denied"), list.output());
      exec(asUser(user, "ls", work.toString())).assertSuccess("the store's parent is open");
    } finally {
      TestUsers.remove(user);
    }
    assertEquals("rwx------", mode(root));
    assertEquals("rwx------", mode(root.resolve("snapshots")));
  }

  /**
   * Attack: a store made by an older jbuild (root and snapshots/ 0755) keeps exposing its
   * snapshots. Must happen: the next command restricts the root and the directories with unpacked
   * content to 0700 and says so in exactly one stderr line; the command after that says nothing.
   */
  @Test
  void storeLeftOpenByOlderVersion_isRestrictedOnOpenWithOneLine() throws Exception {
    Jbuild old = new Jbuild(work.resolve("old-store"));
    old.importBusybox(work, "localbase/busybox:1");
    Path root = old.root();
    List<Path> planted = List.of(root, root.resolve("snapshots"), root.resolve("tmp"),
        root.resolve("runner"));
    for (Path dir : planted) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    Jbuild.Result first = old.run("images").assertSuccess();

    List<String> lines = first.stderr().lines().toList();
    assertEquals(1, lines.size(), first.stderr());
    assertTrue(lines.get(0).endsWith("store " + root + " was readable by other users; "
        + "restricted it to its owner (0700)"), lines.get(0));
    for (Path dir : planted) {
      assertEquals("rwx------", mode(dir), dir.toString());
    }
    assertEquals("", old.run("images").assertSuccess().stderr());
  }

  /**
   * Attack: a Dockerfile with bytes that are not UTF-8 (here Latin-1 "café"). It used to be
   * accepted by {@code jbuild parse} and fail {@code jbuild build} with "Input length = 1". Must
   * happen: both exit 1 with {@code FILE:2:12: invalid UTF-8: byte 0xe9} and no stack trace.
   */
  @Test
  void dockerfileNotUtf8_parseAndBuildRejectItAlike() throws Exception {
    Path context = Files.createDirectories(work.resolve("latin1-ctx"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write("FROM localbase/busybox:1\nLABEL a=caf".getBytes(StandardCharsets.US_ASCII));
    bytes.write(0xE9);
    bytes.write('\n');
    Path dockerfile = Files.write(context.resolve("Dockerfile"), bytes.toByteArray());

    Jbuild.Result parse = jbuild.run("parse", dockerfile.toString());
    assertEquals(1, parse.exitCode(), parse.stdout());
    assertEquals("error: " + dockerfile + ":2:12: invalid UTF-8: byte 0xe9\n", parse.stderr());

    Jbuild.Result build = jbuild.run("build", context.toString());
    assertEquals(1, build.exitCode(), build.stderr());
    assertEquals("error: Dockerfile:2:12: invalid UTF-8: byte 0xe9",
        build.stderr().lines().reduce((a, b) -> b).orElse(""), build.stderr());
    assertFalse(build.stderr().contains("\tat "), build.stderr());
  }

  /**
   * Runs {@code command} as {@code user} through a shell, as that user would: setpriv still holds
   * root's effective capabilities during its own execve (which would resolve the path with
   * CAP_DAC_OVERRIDE); they are gone only in the program it starts.
   */
  private static List<String> asUser(String user, String... command) {
    List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user,
        "--clear-groups", "--", "sh", "-c", "exec \"$@\"", "sh"));
    cmd.addAll(List.of(command));
    return cmd;
  }


  private record Result(int code, String output) {
    void assertSuccess(String what) {
      if (code != 0) {
        throw new AssertionError(what + " failed (" + code + "): " + output);
      }
    }
  }

  private static Result exec(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), output);
  }
}
