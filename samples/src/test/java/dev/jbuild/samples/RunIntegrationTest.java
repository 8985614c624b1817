package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild run}, {@code ps}, {@code rm} and {@code commit} through the real CLI, as root, over
 * the offline busybox image: exit codes, options, limits, networks, kept containers and commits
 * whose layers hold the container's changes and never the generated /etc files.
 */
@Tag("root")
class RunIntegrationTest {
  @TempDir static Path work;
  static Jbuild jbuild;

  @BeforeAll
  static void baseImage() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
  }

  @Test
  void run_exitsWithTheContainersCode() throws Exception {
    assertEquals(7, jbuild.run("run", "--rm", "--network", "none", "localbase/busybox:1",
        "sh", "-c", "exit 7").exitCode());
    Jbuild.Result missing = jbuild.run("run", "--rm", "--network", "none",
        "localbase/busybox:1", "no-such-command");
    assertEquals(127, missing.exitCode(), missing.stderr());
    assertTrue(missing.stderr().contains("no-such-command"), missing.stderr());
    Jbuild.Result killed = jbuild.run("run", "--rm", "--network", "none",
        "localbase/busybox:1", "sh", "-c", "kill -TERM $$");
    assertEquals(143, killed.exitCode());
  }

  @Test
  void run_options_envWorkdirUserHostnameVolumes() throws Exception {
    Path rw = Files.createDirectories(work.resolve("vol-rw"));
    // The container runs as nobody, which must be able to write there.
    Files.setPosixFilePermissions(rw, java.nio.file.attribute.PosixFilePermissions.fromString(
        "rwxrwxrwx"));
    Path ro = Files.createDirectories(work.resolve("vol-ro"));
    Files.writeString(ro.resolve("f"), "read me\n");
    Jbuild.Result r = jbuild.run("run", "--rm", "--network", "none", "-e", "FOO=bar",
        "-w", "/made/here", "-u", "nobody", "--hostname", "box1",
        "-v", rw + ":/data", "-v", ro + ":/ro:ro", "localbase/busybox:1", "sh", "-c",
        "echo $FOO; pwd; id -u; hostname; cat /ro/f; echo w > /data/out;"
            + " echo x > /ro/y 2>/dev/null || echo ro-denied");
    assertEquals("bar\n/made/here\n65534\nbox1\nread me\nro-denied\n", r.stdout(), r.stderr());
    assertEquals("w\n", Files.readString(rw.resolve("out")));
    assertFalse(Files.exists(ro.resolve("y")));
  }

  @Test
  void run_limits_oomCpuPids() throws Exception {
    Jbuild.Result oom = jbuild.run("run", "--rm", "--network", "none", "--memory", "16m",
        "localbase/busybox:1", "sh", "-c", "x=y; while true; do x=$x$x; done");
    assertEquals(137, oom.exitCode(), oom.stderr());
    assertTrue(oom.stderr().contains("out of memory (limit 16 MiB)"), oom.stderr());

    Jbuild.Result limits = jbuild.run("run", "--rm", "--network", "none", "--cpus", "0.5",
        "--pids-limit", "7", "localbase/busybox:1", "sh", "-c",
        "cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us;"
            + " cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max");
    assertTrue(limits.stdout().equals("50000 100000\n7\n") || limits.stdout().equals("50000\n7\n"),
        limits.stdout() + limits.stderr());
  }

  @Test
  void run_networks_bridgeByDefaultNoneAndHost() throws Exception {
    Jbuild.Result bridge = jbuild.run("run", "--rm", "localbase/busybox:1", "ls",
        "/sys/class/net");
    assertEquals("eth0\nlo\n", bridge.stdout(), bridge.stderr());
    Jbuild.Result none = jbuild.run("run", "--rm", "--network", "none", "localbase/busybox:1",
        "ls", "/sys/class/net");
    assertEquals("lo\n", none.stdout(), none.stderr());
    Jbuild.Result host = jbuild.run("run", "--rm", "--network", "host", "localbase/busybox:1",
        "ls", "/sys/class/net");
    assertTrue(host.stdout().lines().count() > 1, host.stdout());
  }

  @Test
  void keptContainer_psCommitRm() throws Exception {
    Jbuild.Result r = jbuild.run("run", "--network", "none", "localbase/busybox:1", "sh", "-c",
        "echo hi > /hello; rm /bin/uname; mkdir -p /etc/conf.d && echo x > /etc/conf.d/app");
    assertEquals(0, r.exitCode(), r.stderr());
    String id = jbuild.run("ps", "-a", "-q").assertSuccess().stdout().trim();
    assertEquals(12, id.length(), id);
    Jbuild.Result ps = jbuild.run("ps", "-a").assertSuccess();
    assertTrue(ps.stdout().contains(id) && ps.stdout().contains("Exited (0)"), ps.stdout());
    assertEquals("", jbuild.run("ps", "-q").assertSuccess().stdout(), "nothing running");

    Jbuild.Result commit = jbuild.run("commit", "-m", "by test", id, "committed:v1")
        .assertSuccess();
    assertTrue(commit.stdout().trim().matches("sha256:[0-9a-f]{64}"), commit.stdout());
    Jbuild.Result check = jbuild.run("run", "--rm", "--network", "none", "committed:v1",
        "sh", "-c", "cat /hello /etc/conf.d/app; ls /bin/uname 2>/dev/null || echo gone");
    assertEquals("hi\nx\ngone\n", check.stdout(), check.stderr());

    Path archive = work.resolve("committed.tar");
    jbuild.run("save", "-o", archive.toString(), "committed:v1").assertSuccess();
    List<List<String>> layers = LayerTars.layerEntries(archive);
    List<String> top = layers.get(layers.size() - 1);
    assertTrue(top.contains("hello"), top.toString());
    assertTrue(top.contains("bin/.wh.uname"), top.toString());
    for (String generated : List.of("etc/hosts", "etc/resolv.conf", "etc/hostname")) {
      assertFalse(top.contains(generated), generated + " in " + top);
    }

    assertEquals(id + "\n", jbuild.run("rm", id).assertSuccess().stdout());
    assertEquals("", jbuild.run("ps", "-a", "-q").assertSuccess().stdout());
    assertFalse(Files.exists(jbuild.root().resolve("containers").resolve(id)));
    Jbuild.Result again = jbuild.run("rm", id);
    assertEquals(1, again.exitCode());
    assertTrue(again.stderr().contains("No such container: " + id), again.stderr());
  }
}
