package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.runner.Sandbox;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
}
