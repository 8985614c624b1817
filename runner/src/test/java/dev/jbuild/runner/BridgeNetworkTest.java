package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bridge mode end to end without touching real outside networks: the test makes its own
 * "outside" — a network namespace with busybox httpd on 198.18.77.2 (RFC 2544 benchmarking
 * space), joined to the host by a veth pair — and a bridge-mode container fetches a page from it
 * through jbuild0, the host's routing and NAT. Needs root, iproute2, iptables and the CNI plugins.
 */
@Tag("root")
class BridgeNetworkTest {
  static final String SERVER_PREFIX = "jbtest-srv-";
  static final String SERVER_NS = SERVER_PREFIX + ProcessHandle.current().pid();
  static final String HOST_IF = hostIf(ProcessHandle.current().pid());
  static final String PEER_IF = "jbts" + ProcessHandle.current().pid() % 100000 + "p";

  @TempDir static Path shared;
  static Path lower;
  static Process httpd;

  @BeforeAll
  static void startServer() throws Exception {
    removeStaleServers();
    lower = BusyboxRootfs.create(shared.resolve("lower"));
    Path www = Files.createDirectories(shared.resolve("www"));
    Files.writeString(www.resolve("index.html"), "hello from the other namespace\n");
    sh("ip netns add " + SERVER_NS);
    sh("ip link add " + HOST_IF + " type veth peer name " + PEER_IF + " netns " + SERVER_NS);
    sh("ip addr add 198.18.77.1/30 dev " + HOST_IF + " && ip link set " + HOST_IF + " up");
    sh("ip -n " + SERVER_NS + " addr add 198.18.77.2/30 dev " + PEER_IF
        + " && ip -n " + SERVER_NS + " link set " + PEER_IF + " up"
        + " && ip -n " + SERVER_NS + " link set lo up");
    httpd = new ProcessBuilder("ip", "netns", "exec", SERVER_NS, "/bin/busybox", "httpd", "-f",
        "-p", "198.18.77.2:8080", "-h", www.toString()).redirectErrorStream(true).start();
    for (int i = 0; i < 100 && !sh("ip netns exec " + SERVER_NS
        + " /bin/busybox wget -q -O /dev/null http://198.18.77.2:8080/index.html", false); i++) {
      Thread.sleep(20);
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (httpd != null) {
      httpd.destroyForcibly().waitFor();
    }
    // Deleting the namespace destroys the veth pair with it.
    sh("ip netns delete " + SERVER_NS, false);
  }

  /** The host side of the veth pair that the test run in JVM {@code pid} makes. */
  static String hostIf(long pid) {
    return "jbts" + pid % 100000 + "h";
  }

  /**
   * Removes what an earlier run of this test that was killed (SIGKILL of its JVM, so no
   * {@code @AfterAll}) left behind: its {@code jbtest-srv-<pid>} namespace, the processes still
   * in it (its httpd, started through {@code ip netns exec}, outlives the JVM) and its host-side
   * veth. Left alone, that veth keeps 198.18.77.1/30 and routes this run's requests to the dead
   * run's namespace, where nothing listens any more: "connection refused". A namespace whose JVM
   * is still alive belongs to a concurrent run and is kept.
   *
   * @return the namespaces removed
   */
  static List<String> removeStaleServers() throws IOException, InterruptedException {
    List<String> names;
    if (!Files.isDirectory(BridgeNetwork.NETNS_DIR)) {
      return List.of();
    }
    try (var s = Files.list(BridgeNetwork.NETNS_DIR)) {
      names = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(SERVER_PREFIX))
          .sorted().toList();
    }
    List<String> removed = new java.util.ArrayList<>();
    for (String name : names) {
      String suffix = name.substring(SERVER_PREFIX.length());
      long pid = suffix.matches("\\d{1,18}") ? Long.parseLong(suffix) : -1;
      if (pid == ProcessHandle.current().pid() || isJvm(pid)) {
        continue;
      }
      // Processes in the namespace keep it, and with it the veth pair, after its name is gone.
      for (String p : capture("ip netns pids " + name).split("\\s+")) {
        if (p.matches("\\d{1,18}")) {
          ProcessHandle.of(Long.parseLong(p)).ifPresent(h -> {
            h.destroyForcibly();
            h.onExit().join();
          });
        }
      }
      sh("ip netns delete " + name, true);
      if (pid >= 0) {
        // Gone with the namespace unless something else held it; never an error when gone.
        sh("ip link delete " + hostIf(pid), false);
      }
      removed.add(name);
    }
    return removed;
  }

  /** Whether {@code pid} is a live JVM (an unknown command counts as one: kept to be safe). */
  private static boolean isJvm(long pid) {
    return pid >= 0 && ProcessHandle.of(pid).map(h -> h.info().command()
        .map(c -> c.endsWith("java")).orElse(true)).orElse(false);
  }

  static void sh(String command) throws IOException, InterruptedException {
    if (!sh(command, true)) {
      throw new IOException("failed: " + command);
    }
  }

  static boolean sh(String command, boolean show) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean ok = p.waitFor() == 0;
    if (!ok && show) {
      System.err.println(command + ": " + out);
    }
    return ok;
  }

  static String capture(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  ContainerSpec spec(Path tmp, String script) throws IOException {
    return ContainerSpec.builder().lowerDirs(List.of(lower))
        .upperDir(Files.createDirectories(tmp.resolve("upper")))
        .workDir(Files.createDirectories(tmp.resolve("work")))
        .env(List.of("PATH=/bin")).network(NetworkMode.BRIDGE).args("sh", "-c", script).build();
  }

  @Test
  void bridge_reachesServerInAnotherNamespace_poolsAndCleansUp(@TempDir Path tmp)
      throws Exception {
    String myNs = BridgeNetwork.PREFIX + ProcessHandle.current().pid() + "-";
    try (ContainerRunner runner = ContainerRunner.create(tmp.resolve("state"))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      ExitStatus status = runner.run(spec(tmp.resolve("a"),
          "ifconfig eth0 | grep -o 'inet addr:10\\.77\\.[0-9.]*'; "
              + "wget -q -O - http://198.18.77.2:8080/index.html"), out, err,
          Duration.ofSeconds(30));
      assertEquals(0, status.exitCode(), err.toString(StandardCharsets.UTF_8));
      String stdout = out.toString(StandardCharsets.UTF_8);
      assertTrue(stdout.startsWith("inet addr:10.77."), stdout);
      assertTrue(stdout.endsWith("hello from the other namespace\n"), stdout);

      // The masquerade and forward rules name the namespace as the CNI container ID.
      String nat = capture("iptables -t nat -S POSTROUTING; iptables -S CNI-FORWARD");
      assertTrue(nat.contains(myNs), nat);

      // A second run reuses the pooled namespace instead of setting up a new one.
      long before = System.nanoTime();
      ExitStatus again = runner.run(spec(tmp.resolve("b"),
          "wget -q -O - http://198.18.77.2:8080/index.html"), out, err, Duration.ofSeconds(30));
      assertEquals(0, again.exitCode());
      System.out.printf("bridge run with a pooled namespace: %.1f ms%n",
          (System.nanoTime() - before) / 1e6);
      assertEquals(1, countNamespaces(myNs), capture("ip netns list"));
    }
    // Closed: no namespace, veth or rule of ours is left.
    assertEquals(0, countNamespaces(myNs), capture("ip netns list"));
    assertFalse(capture("iptables-save").contains(myNs), "iptables rules removed");
    // Veths of the machine-wide shared namespaces (jbpool-*, kept by jbuild commands) are not ours.
    String ours = java.util.Arrays.stream(
            capture("ip -o link show master " + BridgeNetwork.BRIDGE).split("\n"))
        .filter(l -> !l.isBlank() && !l.contains("link-netns " + BridgeNetwork.POOL_PREFIX))
        .collect(java.util.stream.Collectors.joining("\n"));
    assertEquals("", ours, "no veth left on the bridge");
  }

  @Test
  void sharedPool_outlivesTheRunnerAndIsReused(@TempDir Path tmp) throws Exception {
    String first;
    try (ContainerRunner runner = ContainerRunner.create(tmp.resolve("state"), true)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ExitStatus status = runner.run(spec(tmp.resolve("a"), "ip -o addr show eth0"), out,
          new ByteArrayOutputStream(), Duration.ofSeconds(30));
      assertEquals(0, status.exitCode());
      first = out.toString(StandardCharsets.UTF_8);
    }
    assertTrue(capture("ip netns list").contains(BridgeNetwork.POOL_PREFIX),
        "the shared namespace stays after close: " + capture("ip netns list"));
    try (ContainerRunner runner = ContainerRunner.create(tmp.resolve("state2"), true)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      runner.run(spec(tmp.resolve("b"), "ip -o addr show eth0"), out,
          new ByteArrayOutputStream(), Duration.ofSeconds(30));
      // The same namespace (same address) is claimed again instead of a new one being set up.
      assertEquals(first.replaceAll("valid_lft.*", ""),
          out.toString(StandardCharsets.UTF_8).replaceAll("valid_lft.*", ""));
    }
    List<String> removed = ContainerRunner.destroySharedNetworks();
    assertFalse(removed.isEmpty(), "idle shared namespaces are removed on request");
    assertFalse(capture("ip netns list").contains(BridgeNetwork.POOL_PREFIX),
        capture("ip netns list"));
  }

  @Test
  void none_hasOnlyLoopback(@TempDir Path tmp) throws Exception {
    try (ContainerRunner runner = ContainerRunner.create(tmp.resolve("state"))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(lower))
          .upperDir(Files.createDirectories(tmp.resolve("upper")))
          .workDir(Files.createDirectories(tmp.resolve("work"))).env(List.of("PATH=/bin"))
          .args("sh", "-c", "ls /sys/class/net; wget -q -T 2 -O - http://198.18.77.2:8080/ "
              + "2>/dev/null || echo unreachable").build();
      runner.run(spec, out, new ByteArrayOutputStream(), Duration.ofSeconds(30));
      assertEquals("lo\nunreachable\n", out.toString(StandardCharsets.UTF_8));
    }
  }

  /**
   * Attack on the fixture: a run killed mid-test left its server namespace (named after its dead
   * JVM), a process inside it and its host-side veth with an address. Must: {@link
   * #removeStaleServers} removes all three and keeps this run's own server, which still answers.
   */
  @Test
  void staleServerOfAKilledRun_isRemoved() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    long dead = gone.pid();
    String stale = SERVER_PREFIX + dead;
    // Another /30 of the benchmarking space, so this run's server stays reachable meanwhile.
    Process held = null;
    try {
      sh("ip netns add " + stale);
      sh("ip link add " + hostIf(dead) + " type veth peer name jbts" + dead % 100000 + "p netns "
          + stale);
      sh("ip addr add 198.18.77.5/30 dev " + hostIf(dead) + " && ip link set " + hostIf(dead)
          + " up");
      held = new ProcessBuilder("ip", "netns", "exec", stale, "/bin/busybox", "sleep", "600")
          .start();
      for (int i = 0; i < 200 && capture("ip netns pids " + stale).isBlank(); i++) {
        Thread.sleep(20);
      }
      assertFalse(capture("ip netns pids " + stale).isBlank(), "the sleeper did not start");

      assertTrue(removeStaleServers().contains(stale), "not removed: " + stale);

      assertFalse(Files.exists(BridgeNetwork.NETNS_DIR.resolve(stale)), capture("ip netns list"));
      assertFalse(sh("ip link show " + hostIf(dead), false), "the stale veth is still there");
      assertFalse(held.isAlive(), "the process in the stale namespace still runs");
      assertTrue(Files.exists(BridgeNetwork.NETNS_DIR.resolve(SERVER_NS)), "ours was removed");
      assertTrue(sh("/bin/busybox wget -q -O /dev/null http://198.18.77.2:8080/index.html", true),
          "this run's server no longer answers from the host");
    } finally {
      if (held != null) {
        held.destroyForcibly().waitFor();
      }
      sh("ip netns delete " + stale, false);
      sh("ip link delete " + hostIf(dead), false);
    }
  }

  static long countNamespaces(String prefix) throws IOException {
    Path dir = BridgeNetwork.NETNS_DIR;
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
    }
  }
}
