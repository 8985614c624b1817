package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.runner.Sandbox;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --label}, {@code --add-host}, {@code --shm-size}, {@code --ulimit} and {@code -}: what
 * they parse to, and bad values as one error line before anything is built.
 */
class BuildFlagsTest {
  @TempDir Path tmp;

  @Test
  void goodValues_parseAsDocker() {
    assertEquals(new Sandbox.Host("db", "10.0.0.7"), BuildFlags.host("db:10.0.0.7"));
    assertEquals(new Sandbox.Host("v6", "::1"), BuildFlags.host("v6:::1"));
    assertEquals(new Sandbox.Host("v6", "fd00::2"), BuildFlags.host("v6=[fd00::2]"));
    assertEquals(Map.of("a", "b=c", "e", ""), BuildFlags.labels(List.of("a=x", "a=b=c", "e=")));
  }

  @Test
  void badValues_areOneLineNamingTheFlag() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
    String[][] cases = {
        {"--label", "novalue", "invalid argument \"novalue\" for \"--label\" flag: bad attribute"
            + " format: novalue"},
        {"--label", "=v", "for \"--label\" flag: the label has no key"},
        {"--add-host", "db", "bad format for add-host: \"db\""},
        {"--add-host", ":1.2.3.4", "bad format for add-host"},
        {"--add-host", "db:example.com", "invalid IP address in add-host: \"example.com\""},
        {"--add-host", "db:1.2.3.4\n5.6.7.8 x", "invalid IP address in add-host"},
        {"--add-host", "d b:1.2.3.4", "bad host name"},
        {"--add-host", "db:host-gateway", "host-gateway is not supported"},
        {"--shm-size", "lots", "invalid argument \"lots\" for \"--shm-size\" flag: invalid size"},
        {"--shm-size", "1", "/dev/shm needs at least 4k"},
        {"--ulimit", "nofile", "for \"--ulimit\" flag: invalid ulimit argument: nofile"},
        {"--ulimit", "files=1", "invalid ulimit type: files"},
        {"--ulimit", "nofile=2:1", "ulimit soft limit must be less than or equal to hard limit"},
        {"--ulimit", "nofile=1\n2", "invalid ulimit argument: nofile=1\\n2"},
        {"--shm-size", "1\n2m", "for \"--shm-size\" flag: invalid size '1\\n2m'"},
        {"--label", "a\nb", "invalid argument \"a\\nb\" for \"--label\""}};
    for (String[] c : cases) {
      StringWriter err = new StringWriter();
      int code = Main.execute(new String[] {"--root", tmp.resolve("store").toString(), "build",
          c[0], c[1], ctx.toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
      assertEquals(1, code, c[1] + ": " + err);
      assertTrue(err.toString().startsWith("error: ") && err.toString().contains(c[2]),
          c[1] + ": " + err);
      assertEquals(1, err.toString().lines().count(), err.toString());
    }
    // Nothing was built or even stored for them.
    assertTrue(!Files.exists(tmp.resolve("store/images")), "a store was written");
  }

  @Test
  void stdinForBothContextAndDockerfile_isRefused() {
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"--root", tmp.resolve("store").toString(), "build",
        "-f", "-", "-"}, new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(1, code, err.toString());
    assertEquals("error: invalid argument: can't use stdin for both build context and"
        + " dockerfile\n", err.toString());
  }

  /**
   * {@code build -} extracts its context to a scratch directory that is deleted afterwards, so a
   * checksum cache kept for it ({@code cache/checksums/<hash of the path>.sums}) could never be
   * used again. Must: a tar context and a Dockerfile on stdin leave no such file (nor their
   * scratch dirs); {@code -f -} with a context directory keeps that directory's cache only.
   */
  @Test
  void stdinContexts_leaveNoChecksumCacheBehind() throws Exception {
    Path store = tmp.resolve("store");
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY a /a\n");
    Files.writeString(ctx.resolve("a"), "a\n");
    Path tar = tmp.resolve("ctx.tar");
    Process p = new ProcessBuilder("tar", "-C", ctx.toString(), "-cf", tar.toString(), ".")
        .inheritIO().start();
    assertEquals(0, p.waitFor());

    for (int i = 0; i < 2; i++) {
      assertEquals(0, buildWithStdin(Files.readAllBytes(tar), "build", "--progress=quiet", "-"));
    }
    assertEquals(0, buildWithStdin("FROM scratch\n".getBytes(StandardCharsets.UTF_8), "build",
        "--progress=quiet", "-"));
    assertEquals(List.of(), list(store.resolve("cache/checksums")), "caches of deleted contexts");
    assertEquals(List.of(), list(store.resolve("tmp")).stream()
        .filter(n -> n.startsWith("stdin-")).toList(), "stdin scratch dirs");

    assertEquals(0, buildWithStdin("FROM scratch\nCOPY a /b\n".getBytes(StandardCharsets.UTF_8),
        "build", "--progress=quiet", "-f", "-", ctx.toString()));
    assertEquals(1, list(store.resolve("cache/checksums")).size(), "the context's own cache");
  }

  /** Runs jbuild in-process with {@code stdin} as standard input; returns its exit code. */
  private int buildWithStdin(byte[] stdin, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--root";
    all[1] = tmp.resolve("store").toString();
    System.arraycopy(args, 0, all, 2, args.length);
    InputStream saved = System.in;
    StringWriter err = new StringWriter();
    try {
      System.setIn(new ByteArrayInputStream(stdin));
      int code = Main.execute(all, new PrintWriter(new StringWriter()), new PrintWriter(err));
      assertEquals(0, code, err.toString());
      return code;
    } finally {
      System.setIn(saved);
    }
  }

  private static List<String> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
