package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.oci.Platform;
import java.util.List;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Tests for {@link Main}: argument routing, help and usage errors. */
class MainTest {
  @Test
  void withImplicitBuild_insertsBuildWhenNoSubcommandIsGiven() {
    assertArrayEquals(new String[] {"build", "-t", "x", "."},
        Main.withImplicitBuild(new String[] {"-t", "x", "."}));
    assertArrayEquals(new String[] {"--root", "/r", "build", "."},
        Main.withImplicitBuild(new String[] {"--root", "/r", "."}));
    assertArrayEquals(new String[] {"--debug", "push", "a"},
        Main.withImplicitBuild(new String[] {"--debug", "push", "a"}));
    assertArrayEquals(new String[] {"--help"}, Main.withImplicitBuild(new String[] {"--help"}));
    assertArrayEquals(new String[] {}, Main.withImplicitBuild(new String[] {}));
  }

  @Test
  void commandsToModel_onlyTheInvokedOne_allForHelp_noneForVersion() {
    assertEquals(java.util.Set.of("build"),
        Main.commandsToModel(Main.withImplicitBuild(new String[] {"-t", "x", "."})));
    assertEquals(java.util.Set.of("push"),
        Main.commandsToModel(new String[] {"--root", "/r", "--debug", "push", "a"}));
    assertEquals(java.util.Set.of("run"),
        Main.commandsToModel(new String[] {"--insecure-registry=h", "run", "--rm", "i"}));
    assertEquals(java.util.Set.of(), Main.commandsToModel(new String[] {"--version"}));
    assertEquals(java.util.Set.of(), Main.commandsToModel(new String[] {"--debug", "-V"}));
    for (String[] help : new String[][] {{}, {"--help"}, {"help", "build"}, {"--root"},
        {"--root", "/r"}}) {
      java.util.Set<String> all = Main.commandsToModel(help);
      assertTrue(all.containsAll(java.util.Set.of("build", "run", "images", "help",
          "cds-training")) && all.size() == 22, String.join(" ", help) + ": " + all);
    }
  }

  @Test
  void help_ofOneCommand_andRunStopsAtTheImage() {
    StringWriter out = new StringWriter();
    assertEquals(0, Main.execute(new String[] {"help", "push"}, new PrintWriter(out),
        new PrintWriter(new StringWriter())));
    assertTrue(out.toString().startsWith("Usage: jbuild push"), out.toString());
    StringWriter out2 = new StringWriter();
    assertEquals(0, Main.execute(new String[] {"images", "--help"}, new PrintWriter(out2),
        new PrintWriter(new StringWriter())));
    assertTrue(out2.toString().startsWith("Usage: jbuild images"), out2.toString());
    // Options after the image belong to the container's command, so no usage error here.
    StringWriter err = new StringWriter();
    Main.execute(new String[] {"--root", System.getProperty("java.io.tmpdir")
        + "/jbuild-main-test", "run", "--rm", "no/such-image", "--frobnicate"},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertTrue(!err.toString().contains("Unknown option"), err.toString());
  }

  @Test
  void help_listsCommandsAndExitsZero() {
    StringWriter out = new StringWriter();
    int code = Main.execute(new String[] {"--help"}, new PrintWriter(out), new PrintWriter(
        new StringWriter()));
    assertEquals(0, code);
    for (String cmd : new String[] {"build", "run", "push", "pull", "images", "save", "tag"}) {
      assertTrue(out.toString().contains(cmd), out.toString());
    }
  }

  @Test
  void unknownOption_isUsageErrorWithOneLine() {
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"build", "--frobnicate", "."},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("error: Unknown option: '--frobnicate'"),
        err.toString());
  }

  @Test
  void unknownOption_doesNotBlameTheContextPath() {
    // picocli reads "a=b" as the context, then lists every leftover word as an unknown option.
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"build", "--lable", "a=b", "."},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("error: Unknown option: '--lable'\n"), err.toString());
    assertTrue(!err.toString().contains("'.'"), err.toString());
    StringWriter err2 = new StringWriter();
    Main.execute(new String[] {"--lable", "a", "--tga", "x", "."},
        new PrintWriter(new StringWriter()), new PrintWriter(err2));
    assertTrue(err2.toString().startsWith("error: Unknown options: '--lable', '--tga'\n"),
        err2.toString());
  }

  @Test
  void version_namesTheVersionAndTheCommit() {
    StringWriter out = new StringWriter();
    assertEquals(0, Main.execute(new String[] {"--version"}, new PrintWriter(out),
        new PrintWriter(new StringWriter())));
    String v = out.toString().strip();
    assertTrue(v.matches("jbuild \\d+\\.\\d+\\.\\d+\\S*, commit ([0-9a-f]{12}(-dirty)?|unknown)"), v);
    assertTrue(!v.contains("development build"), v);
  }

  @Test
  void cgroupParentOutsideTheHierarchy_isOneLineError(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
    for (String bad : new String[] {"../escape", "a/../../b", "a//b"}) {
      StringWriter err = new StringWriter();
      int code = Main.execute(new String[] {"--root", dir.resolve("store").toString(), "build",
          "--cgroup-parent", bad, dir.toString()}, new PrintWriter(new StringWriter()),
          new PrintWriter(err));
      assertTrue(code != 0, err.toString());
      assertTrue(err.toString().startsWith("error: invalid --cgroup-parent '" + bad + "'"),
          err.toString());
      assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }
  }

  @Test
  void loadInput_unreadableOrMissing_saysWhy(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    String root = dir.resolve("store").toString();
    for (String[] c : new String[][] {
        {dir.resolve("nope.tar").toString(), "error: open " + dir.resolve("nope.tar")
            + ": no such file or directory"},
        {dir.toString(), "error: read " + dir + ": is a directory"}}) {
      StringWriter err = new StringWriter();
      int code = Main.execute(new String[] {"--root", root, "load", "-i", c[0]},
          new PrintWriter(new StringWriter()), new PrintWriter(err));
      assertEquals(1, code);
      assertEquals(c[1], err.toString().strip());
    }
    // Root reads any file, so permission is checked on the wording alone.
    assertEquals("permission denied", LoadCommand.reason(
        new java.nio.file.AccessDeniedException("/x/image.tar")));
    assertEquals("no such file or directory", LoadCommand.reason(
        new java.nio.file.NoSuchFileException("/x/image.tar")));
    assertEquals("too many levels of symbolic links", LoadCommand.reason(
        new java.nio.file.FileSystemException("/x/image.tar", null,
            "Too many levels of symbolic links")));
  }

  @Test
  void badReference_isOneLineError() {
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"--root", System.getProperty("java.io.tmpdir")
        + "/jbuild-main-test", "push", "myapp/Web"},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(1, code);
    assertEquals("error: invalid reference format: repository name (myapp/Web) must be"
        + " lowercase", err.toString().strip());
  }

  /** Issue 16 replaced the host-only check: lists, BuildKit's normalization, bad entries. */
  @Test
  void platform_listsNormalizedAndDeduplicated() {
    Platform host = Platform.host();
    assertEquals(List.of(host), TargetPlatform.parse(host.toString()));
    assertEquals(List.of(new Platform("amd64", "linux", null), new Platform("arm64", "linux",
        null), new Platform("arm", "linux", "v7")),
        TargetPlatform.parse("linux/x86_64, linux/arm64/v8,linux/aarch64,linux/arm"));
    IllegalArgumentException windows = assertThrows(IllegalArgumentException.class,
        () -> TargetPlatform.parse("linux/amd64,windows/amd64"));
    assertTrue(windows.getMessage().contains("windows/amd64 is not a linux platform"),
        windows.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> TargetPlatform.parse("linux/amd64,"));
    assertTrue(empty.getMessage().contains("an empty entry"), empty.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TargetPlatform.parse("linux"));
    assertThrows(IllegalArgumentException.class, () -> TargetPlatform.parse("linux/arm64/v8/x"));
  }
}
