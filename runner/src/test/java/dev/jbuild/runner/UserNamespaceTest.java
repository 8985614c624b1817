package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link UserNamespace} and {@link SubordinateIds}: the maps built from {@code
 * /etc/subuid} text (including hostile and malformed lines), the errors a user sees, and {@code
 * rrun userns} itself (as root, whose only mapping newuidmap allows is its own id).
 */
class UserNamespaceTest {
  @TempDir Path dir;

  @Test
  void idMaps_ownIdFirstThenRangesBackToBack() throws Exception {
    String subuid = "other:200000:65536\nalice:100000:65536\n1001:300000:10\n";
    String subgid = "alice:100000:65536\n";
    UserNamespace.IdMaps maps = UserNamespace.idMaps("alice", 1001, 1001, subuid, subgid);
    assertEquals("0 1001 1 1 100000 65536 65537 300000 10", maps.uidMap());
    assertEquals("0 1001 1 1 100000 65536", maps.gidMap());
    assertEquals(65537, maps.ids());
  }

  @Test
  void ranges_skipMalformedCommentsAndOtherUsers() {
    String text = "# alice:1:2\nalice:abc:10\nalice:5\nalice:-1:10\nalice:10:0\n"
        + "alice:4294967290:100\nalic:1:1\nalice2:1:1\n  alice:7:3  \n";
    assertEquals(List.of(new SubordinateIds.Range(7, 3)),
        SubordinateIds.ranges(text, "alice", 1000));
  }

  @Test
  void idMaps_noRange_saysHowToAddOne() {
    RunnerException e = assertThrows(RunnerException.class,
        () -> UserNamespace.idMaps("bob", 1002, 1002, "alice:100000:65536\n", null));
    assertEquals("Tried to start rootless mode for user bob but failed because: /etc/subuid "
        + "has no range for bob. Add one as root (usermod --add-subuids 100000-165535 "
        + "--add-subgids 100000-165535 bob), or run jbuild as root", e.getMessage());
    RunnerException gid = assertThrows(RunnerException.class,
        () -> UserNamespace.idMaps("bob", 1002, 1002, "bob:100000:65536\n", ""));
    assertTrue(gid.getMessage().contains("/etc/subgid has no range for bob"), gid.getMessage());
  }

  @Test
  void isIdentity_onlyForTheInitialNamespace() {
    assertTrue(UserNamespace.isIdentity("         0          0 4294967295\n"));
    assertFalse(UserNamespace.isIdentity("         0       1001          1\n"
        + "         1     100000      65536\n"));
    assertFalse(UserNamespace.isIdentity("0 0 65536\n"));
  }

  @Test
  void createRootless_outsideAUserNamespace_isRefused() {
    RunnerException e = assertThrows(RunnerException.class,
        () -> ContainerRunner.createRootless(dir.resolve("state")));
    assertTrue(e.getMessage().endsWith("this process is not in a user namespace of its own"),
        e.getMessage());
  }

  @Test
  @Tag("root")
  void run_mapsTheCommandAsRootOfANewNamespace() throws Exception {
    Path out = dir.resolve("out");
    int code = UserNamespace.run(dir.resolve("state"), new UserNamespace.IdMaps("0 0 1", "0 0 1",
        1), List.of("sh", "-c", "cat /proc/self/uid_map > " + out + "; echo $FOO >> " + out
        + "; exit 7"), Map.of("FOO", "bar"));
    assertEquals(7, code, "the command's own exit code comes back");
    List<String> lines = Files.readAllLines(out);
    assertEquals("0 0 1", lines.get(0).strip().replaceAll("\\s+", " "));
    assertEquals("bar", lines.get(1));
  }

  @Test
  @Tag("root")
  void run_rangeNotAllowed_reportsNewuidmapsReason() {
    // Root has no /etc/subuid range, so newuidmap refuses anything beyond its own id.
    RunnerException e = assertThrows(RunnerException.class, () -> UserNamespace.run(
        dir.resolve("state"), new UserNamespace.IdMaps("0 0 1 1 3000000000 10", "0 0 1", 11),
        List.of("true"), Map.of()));
    assertEquals("userns", e.stage());
    assertTrue(e.getMessage().startsWith("Tried to enter a user namespace for rootless mode but "
        + "failed because: newuidmap "), e.getMessage());
    assertTrue(e.getMessage().endsWith("not allowed"), e.getMessage());
  }

  @Test
  @Tag("root")
  void run_malformedMap_isRefusedBeforeAnythingRuns() {
    Path marker = dir.resolve("ran");
    RunnerException e = assertThrows(RunnerException.class, () -> UserNamespace.run(
        dir.resolve("state"), new UserNamespace.IdMaps("0 0 1; touch " + marker, "0 0 1", 1),
        List.of("touch", marker.toString()), Map.of()));
    assertTrue(e.getMessage().contains("malformed id map"), e.getMessage());
    assertFalse(Files.exists(marker));
  }

  @Test
  @Tag("root")
  void run_missingCommand_isAnError() {
    RunnerException e = assertThrows(RunnerException.class, () -> UserNamespace.run(
        dir.resolve("state"), new UserNamespace.IdMaps("0 0 1", "0 0 1", 1),
        List.of(dir.resolve("nonexistent").toString()), Map.of()));
    assertTrue(e.getMessage().contains("execute " + dir.resolve("nonexistent")
        + ": No such file or directory"), e.getMessage());
  }
}
