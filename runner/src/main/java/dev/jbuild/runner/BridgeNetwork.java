package dev.jbuild.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link NetworkMode#BRIDGE} network: private network namespaces, each with a veth pair on
 * the host bridge {@value #BRIDGE} and NAT to the outside, as {@code docker build} gives RUN
 * steps by default (BuildKit's built-in bridge, {@code cniprovider/bridge.go}).
 *
 * <p>Why Debian's CNI plugins ({@code containernetworking-plugins}, {@code /usr/lib/cni}) rather
 * than our own netlink code: the bridge, veth, IPAM, forwarding and masquerade rules are a few
 * thousand lines in the plugins, maintained and used by BuildKit, podman and Kubernetes, and they
 * also remove exactly what they added. We run {@code bridge} (with {@code host-local} IPAM) and
 * then {@code firewall}, which accepts the container's traffic in FORWARD even where dockerd set
 * its policy to DROP. Namespaces are created with iproute2's {@code ip netns add}.
 *
 * <p>Setting one up costs about 90 ms (two Go plugins plus iptables), so namespaces are pooled
 * and reused, as BuildKit does: a container has none of CAP_NET_ADMIN, so it cannot change
 * addresses, routes or rules of the namespace it leaves behind.
 *
 * <p>Names: {@code jbuild-<owner pid>-<n>} in {@code /run/netns}, the CNI container ID is the
 * same, and the plugins' results live in {@code /run/jbuild/netns}. Everything is on tmpfs, as are
 * the iptables rules and the namespaces themselves, so a reboot clears it; {@link #sweep} clears
 * what a crashed JVM left. The bridge and the plugin's shared {@code CNI-FORWARD} chain stay, as
 * {@code docker0} does.
 *
 * <p>Thread-safe.
 */
final class BridgeNetwork {
  static final String BRIDGE = "jbuild0";
  static final String NETWORK_NAME = "jbuild";
  static final String SUBNET = "10.77.0.0/16";
  static final Path CNI_BIN = Path.of("/usr/lib/cni");
  static final Path NETNS_DIR = Path.of("/run/netns");
  static final Path STATE_DIR = Path.of("/run/jbuild");
  static final String PREFIX = "jbuild-";
  private static final int MAX_IDLE = 4;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** Namespaces shared across jbuild processes: {@code jbpool-<n>}, claimed by a file lock. */
  static final String POOL_PREFIX = "jbpool-";
  private static final int POOL_SIZE = 4;

  /**
   * A configured network namespace: its name (also the CNI container ID) and file; {@code claim}
   * is the lock of a shared pool namespace (null for one this process made and will tear down).
   */
  record Namespace(String name, Path path, FileChannel claim) {}

  private final Deque<Namespace> idle = new ArrayDeque<>();
  private final List<Namespace> all = new ArrayList<>();
  private final boolean shared;
  private boolean closed;

  /** A per-process pool: every namespace is torn down at {@link #close}. */
  BridgeNetwork() {
    this(false);
  }

  /**
   * A pool that, when {@code shared}, first claims one of the machine-wide {@code jbpool-<n>}
   * namespaces, which outlive the process (like {@code docker0}'s) so the next jbuild command
   * skips the ~0.3 s of set-up and tear-down; {@link #destroyShared} removes them.
   */
  BridgeNetwork(boolean shared) {
    this.shared = shared;
  }

  /** A namespace ready for a container: from the pool, or set up now. */
  Namespace acquire() throws RunnerException {
    synchronized (this) {
      if (closed) {
        throw new RunnerException("Tried to set up a bridge network but failed because: the "
            + "runner is closed");
      }
      Namespace ns = idle.pollFirst();
      if (ns != null) {
        return ns;
      }
    }
    Namespace ns = shared ? claimShared() : null;
    if (ns == null) {
      ns = create(PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet(), null);
    }
    synchronized (this) {
      all.add(ns);
    }
    return ns;
  }

  /** Returns a namespace after its container is gone: kept for reuse or torn down. */
  void release(Namespace ns) {
    synchronized (this) {
      if (!closed && idle.size() < MAX_IDLE) {
        idle.addFirst(ns);
        return;
      }
      all.remove(ns);
    }
    if (ns.claim() != null) {
      unclaim(ns);
    } else {
      destroy(ns.name());
    }
  }

  /** Tears down every namespace this pool made, idle or still in use. */
  void close() {
    List<Namespace> toDestroy;
    synchronized (this) {
      closed = true;
      toDestroy = new ArrayList<>(all);
      all.clear();
      idle.clear();
    }
    for (Namespace ns : toDestroy) {
      if (ns.claim() != null) {
        unclaim(ns);
      } else {
        destroy(ns.name());
      }
    }
  }

  /** Claims a free shared namespace (setting it up if it is missing or incomplete), or null. */
  private static Namespace claimShared() throws RunnerException {
    for (int n = 1; n <= POOL_SIZE; n++) {
      FileChannel channel = null;
      try {
        Files.createDirectories(STATE_DIR.resolve("pool"));
        channel = FileChannel.open(STATE_DIR.resolve("pool").resolve(n + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (channel.tryLock() == null) {
          channel.close();
          continue;
        }
      } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
        closeQuietly(channel);
        continue;
      }
      String name = POOL_PREFIX + n;
      try {
        if (Files.exists(NETNS_DIR.resolve(name)) && Files.exists(resultFile(name))) {
          return new Namespace(name, NETNS_DIR.resolve(name), channel);
        }
        destroy(name); // half-made by a process that died while setting it up
        return create(name, channel);
      } catch (RunnerException e) {
        closeQuietly(channel);
        throw e;
      }
    }
    return null;
  }

  private static void unclaim(Namespace ns) {
    closeQuietly(ns.claim());
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // The lock goes with the descriptor anyway.
      }
    }
  }

  /**
   * Tears down the shared pool namespaces that no process is using ({@code jbuild prune
   * --networks}).
   *
   * @return the names removed
   */
  static List<String> destroyShared() {
    List<String> removed = new ArrayList<>();
    for (int n = 1; n <= POOL_SIZE; n++) {
      String name = POOL_PREFIX + n;
      Path lock = STATE_DIR.resolve("pool").resolve(n + ".lock");
      if (!Files.exists(lock) && !Files.exists(NETNS_DIR.resolve(name))) {
        continue;
      }
      try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE)) {
        if (channel.tryLock() != null) {
          destroy(name);
          removed.add(name);
        }
      } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
        // In use or unreadable: leave it.
      }
    }
    return removed;
  }

  private static Namespace create(String name, FileChannel claim) throws RunnerException {
    requirePlugins();
    Path path = NETNS_DIR.resolve(name);
    try {
      exec(List.of("ip", "netns", "add", name), null, Map.of(), "create the network namespace "
          + name);
      Files.createDirectories(STATE_DIR.resolve("netns"));
      byte[] bridgeResult = cni("bridge", "ADD", name, bridgeConfig(), null);
      // Written before the firewall step, so a crash in between can still be undone.
      Files.write(resultFile(name), bridgeResult);
      cni("firewall", "ADD", name, firewallConfig(), bridgeResult);
      return new Namespace(name, path, claim);
    } catch (IOException | RunnerException e) {
      destroy(name);
      if (e instanceof RunnerException) {
        throw (RunnerException) e;
      }
      throw new RunnerException("Tried to set up the bridge network for a container but failed "
          + "because: " + e.getMessage(), e);
    }
  }

  private static void requirePlugins() throws RunnerException {
    for (String plugin : List.of("bridge", "host-local", "firewall")) {
      if (!Files.isExecutable(CNI_BIN.resolve(plugin))) {
        throw new RunnerException("Tried to set up the bridge network but failed because: the "
            + "CNI plugin " + CNI_BIN.resolve(plugin) + " is missing. Install Debian's "
            + "containernetworking-plugins and iptables, or use --network none or host.");
      }
    }
  }

  /**
   * Undoes everything {@link #create} did for {@code name}, as far as it got: firewall and bridge
   * DEL (iptables rules, IP allocation, veth), then the namespace. Never throws: it also runs for
   * half-made namespaces and from shutdown hooks.
   */
  static void destroy(String name) {
    Path result = resultFile(name);
    byte[] prev = null;
    try {
      prev = Files.exists(result) ? Files.readAllBytes(result) : null;
    } catch (IOException e) {
      // Without the result the plugins still remove what they can find.
    }
    try {
      cni("firewall", "DEL", name, firewallConfig(), prev);
    } catch (IOException | RunnerException e) {
      // Keep going: the rest must still be removed.
    }
    try {
      cni("bridge", "DEL", name, bridgeConfig(), prev);
    } catch (IOException | RunnerException e) {
      // Keep going.
    }
    try {
      if (Files.exists(NETNS_DIR.resolve(name))) {
        exec(List.of("ip", "netns", "delete", name), null, Map.of(), "delete " + name);
      }
    } catch (IOException | RunnerException e) {
      // Reported by the leak checks; nothing more to do here.
    }
    try {
      Files.deleteIfExists(result);
    } catch (IOException e) {
      // Harmless leftover on tmpfs.
    }
  }

  /**
   * Tears down namespaces of jbuild processes that no longer run (named {@code
   * jbuild-<pid>-<n>}). Returns the names removed.
   */
  static List<String> sweep() {
    List<String> removed = new ArrayList<>();
    List<String> candidates = new ArrayList<>();
    for (Path dir : List.of(NETNS_DIR, STATE_DIR.resolve("netns"))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, PREFIX + "*")) {
        for (Path entry : entries) {
          String name = entry.getFileName().toString().replaceFirst("\\.json$", "");
          if (!candidates.contains(name)) {
            candidates.add(name);
          }
        }
      } catch (IOException e) {
        // Nothing readable to sweep.
      }
    }
    for (String name : candidates) {
      if (Owners.isStale(name.substring(PREFIX.length()))) {
        destroy(name);
        removed.add(name);
      }
    }
    return removed;
  }

  private static Path resultFile(String name) {
    return STATE_DIR.resolve("netns").resolve(name + ".json");
  }

  private static ObjectNode bridgeConfig() {
    ObjectNode conf = MAPPER.createObjectNode();
    conf.put("cniVersion", "1.0.0");
    conf.put("name", NETWORK_NAME);
    conf.put("type", "bridge");
    conf.put("bridge", BRIDGE);
    conf.put("isGateway", true);
    conf.put("isDefaultGateway", true);
    conf.put("ipMasq", true);
    conf.put("hairpinMode", true);
    ObjectNode ipam = conf.putObject("ipam");
    ipam.put("type", "host-local");
    ipam.putArray("ranges").addArray().addObject().put("subnet", SUBNET);
    ipam.put("dataDir", STATE_DIR.resolve("ipam").toString());
    return conf;
  }

  private static ObjectNode firewallConfig() {
    ObjectNode conf = MAPPER.createObjectNode();
    conf.put("cniVersion", "1.0.0");
    conf.put("name", NETWORK_NAME);
    conf.put("type", "firewall");
    conf.put("backend", "iptables");
    return conf;
  }

  /** Runs one CNI plugin (CNI spec 1.0: env for the call, config on stdin, result on stdout). */
  private static byte[] cni(String plugin, String command, String name, ObjectNode config,
      byte[] prevResult) throws IOException, RunnerException {
    ObjectNode conf = config.deepCopy();
    if (prevResult != null) {
      JsonNode prev = MAPPER.readTree(prevResult);
      if (prev != null && prev.isObject()) {
        conf.set("prevResult", prev);
      }
    }
    Path netns = NETNS_DIR.resolve(name);
    return exec(List.of(CNI_BIN.resolve(plugin).toString()), MAPPER.writeValueAsBytes(conf),
        Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", name,
            "CNI_NETNS", Files.exists(netns) ? netns.toString() : "",
            "CNI_IFNAME", "eth0", "CNI_PATH", CNI_BIN.toString(),
            "PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
        "run the CNI plugin " + plugin + " " + command + " for " + name);
  }

  private static byte[] exec(List<String> argv, byte[] stdin, Map<String, String> env,
      String what) throws IOException, RunnerException {
    ProcessBuilder pb = new ProcessBuilder(argv);
    if (!env.isEmpty()) {
      pb.environment().clear();
      pb.environment().putAll(env);
    }
    pb.redirectErrorStream(true);
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    }
    byte[] out;
    try (InputStream o = p.getInputStream()) {
      out = o.readAllBytes();
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new RunnerException("Tried to " + what + " but failed because: it did not finish "
            + "within 60 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new RunnerException("Interrupted while trying to " + what, e);
    }
    if (p.exitValue() != 0) {
      String text = new String(out, StandardCharsets.UTF_8).trim();
      throw new RunnerException("Tried to " + what + " but failed because: "
          + (text.isEmpty() ? "exit code " + p.exitValue() : text));
    }
    return out;
  }
}
