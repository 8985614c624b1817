package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Sandbox}'s parsing and validation (docker's wording), its hosts lines and spec JSON. */
class SandboxTest {
  @Test
  void rlimit_parsesAsGoUnits() {
    assertEquals(new Sandbox.Rlimit("nofile", 1024, 2048), Sandbox.Rlimit.parse("nofile=1024:2048"));
    assertEquals(new Sandbox.Rlimit("nofile", 512, 512), Sandbox.Rlimit.parse("nofile=512"));
    assertEquals(new Sandbox.Rlimit("nproc", -1, -1), Sandbox.Rlimit.parse("NPROC=-1"));
    assertEquals(new Sandbox.Rlimit("core", 0, -1), Sandbox.Rlimit.parse("core=0:-1"));
  }

  @Test
  void rlimit_badInput_isOneClearMessage() {
    for (String[] c : new String[][] {
        {"nofile", "invalid ulimit argument: nofile"},
        {"nofiles=1", "invalid ulimit type: nofiles"},
        {"nofile=2048:1024", "ulimit soft limit must be less than or equal to hard limit"},
        {"nofile=-1:1024", "ulimit soft limit must be less than or equal to hard limit"},
        {"nofile=1:2:3", "too many limit value arguments"},
        {"nofile=abc", "invalid ulimit argument: nofile=abc"},
        {"nofile=", "invalid ulimit argument: nofile="},
        {"nofile=-2", "must be -1 (unlimited) or more"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Sandbox.Rlimit.parse(c[0]), c[0]);
      assertTrue(e.getMessage().startsWith(c[1]) || e.getMessage().contains(c[1]),
          c[0] + ": " + e.getMessage());
      assertEquals(1, e.getMessage().lines().count());
    }
    assertThrows(IllegalArgumentException.class, () -> new Sandbox(List.of(), 0,
        List.of(Sandbox.Rlimit.parse("nofile=1"), Sandbox.Rlimit.parse("nofile=2"))));
    assertThrows(IllegalArgumentException.class, () -> new Sandbox(List.of(), -1, List.of()));
  }

  @Test
  void host_acceptsLiteralAddressesOnly() {
    new Sandbox.Host("db", "10.0.0.7");
    new Sandbox.Host("a.example", "::1");
    new Sandbox.Host("v6", "fd00:0:0::1");
    for (String[] bad : new String[][] {{"db", "10.0.0.256"}, {"db", "example.com"},
        {"db", ""}, {"db", "1.2.3"}, {"", "1.2.3.4"}, {"a b", "1.2.3.4"}, {"a\nb", "1.2.3.4"},
        {"db", ":::::::::"}, {"db", "1.2.3.4\n5.6.7.8 evil"}, {"a#b", "1.2.3.4"}}) {
      assertThrows(IllegalArgumentException.class, () -> new Sandbox.Host(bad[0], bad[1]),
          String.join("|", bad));
    }
  }

  @Test
  void hostsFile_appendsBuildKitLines() {
    assertEquals("127.0.0.1\tlocalhost buildkitsandbox\n"
        + "::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.7\tdb\n::1\tsix\n",
        EtcFiles.hosts("buildkitsandbox", List.of(new Sandbox.Host("db", "10.0.0.7"),
            new Sandbox.Host("six", "::1"))));
  }

  @Test
  void specJson_hasShmSizeAndRlimitsOnlyWhenSet() throws Exception {
    ContainerSpec.Builder b = ContainerSpec.builder().lowerDirs(List.of(Path.of("/l")))
        .upperDir(Path.of("/u")).workDir(Path.of("/w")).args("true");
    JsonNode plain = new ObjectMapper().readTree(RrunSpec.toJson(b.build(), Path.of("/r"),
        List.of(), List.of()));
    assertTrue(!plain.has("shmSize") && !plain.has("rlimits"), plain.toString());
    JsonNode set = new ObjectMapper().readTree(RrunSpec.toJson(b.sandbox(new Sandbox(List.of(),
        1 << 20, List.of(Sandbox.Rlimit.parse("nofile=10:-1")))).build(), Path.of("/r"),
        List.of(), List.of()));
    assertEquals(1 << 20, set.get("shmSize").asLong());
    assertEquals("[{\"name\":\"nofile\",\"soft\":10,\"hard\":-1}]", set.get("rlimits").toString());
  }
}
