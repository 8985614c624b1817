package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prune --all} on one store leaves the machine-wide bridge network namespaces ({@code
 * jbpool-N}) alone, since other stores' builds use them (issue 17 item 7); {@code prune
 * --networks} removes the idle ones and never the one a running build holds. As root, with two
 * stores and a real build of the second store holding a namespace while the first is pruned.
 */
@Tag("root")
class PruneNetworksIntegrationTest {
  static final Path NETNS = Path.of("/run/netns");
  static final String TOKEN = "987611";

  @TempDir Path work;

  @Test
  void pruneAll_keepsSharedNetworks_pruneNetworks_keepsTheOneInUse() throws Exception {
    Jbuild a = new Jbuild(work.resolve("store-a"));
    Jbuild b = new Jbuild(work.resolve("store-b"));
    a.importBusybox(work, "localbase/busybox:1");
    b.importBusybox(work, "localbase/busybox:1");
    // A build of store A claims a shared namespace and leaves it idle for the next build.
    Path quick = Files.createDirectories(work.resolve("quick"));
    Files.writeString(quick.resolve("Dockerfile"), "FROM localbase/busybox:1\nRUN true\n");
    a.run("build", "--progress=plain", quick.toString()).assertSuccess();
    assertFalse(pools().isEmpty(), "a build as root leaves its shared namespace for the next");

    Path slow = Files.createDirectories(work.resolve("slow"));
    Files.writeString(slow.resolve("Dockerfile"),
        "FROM localbase/busybox:1\nRUN sleep " + TOKEN + "\n");
    Process build = new ProcessBuilder("env", "--default-signal=INT",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.jbuild.builder.cli.Main",
        "--root", b.root().toString(), "build", "--progress=plain", slow.toString())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try {
      long step;
      while ((step = stepPid()) < 0) {
        if (build.waitFor(100, TimeUnit.MILLISECONDS)) {
          throw new AssertionError("store B's build ended before its step ran");
        }
      }
      String inUse = poolOf(step).orElseThrow(
          () -> new AssertionError("the step runs in no shared namespace: " + pools()));
      List<String> before = pools();

      Jbuild.Result all = a.run("prune", "--all").assertSuccess();
      assertFalse(all.stdout().contains("networks"), all.stdout());
      assertTrue(pools().containsAll(before), "prune --all removed shared namespaces: "
          + before + " -> " + pools());

      Jbuild.Result networks = a.run("prune", "--networks").assertSuccess();
      assertTrue(pools().contains(inUse), inUse + " is in use by store B's build: "
          + networks.stdout());
      assertFalse(networks.stdout().contains(inUse), networks.stdout());
      assertTrue(networks.stdout().contains("Deleted networks: jbpool-"), networks.stdout());
    } finally {
      new ProcessBuilder("kill", "-INT", Long.toString(build.pid())).start().waitFor();
      build.waitFor();
      // What the pool gained here is idle now: leave no namespace (a mount) behind.
      a.run("prune", "--networks");
    }
  }

  /** The {@code jbpool-N} namespaces on this machine now. */
  private static List<String> pools() {
    try (Stream<Path> s = Files.list(NETNS)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("jbpool-"))
          .sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The shared namespace process {@code pid} runs in (same nsfs inode), if any. */
  private static Optional<String> poolOf(long pid) throws IOException {
    Object ino = Files.getAttribute(Path.of("/proc", Long.toString(pid), "ns", "net"), "unix:ino");
    for (String name : pools()) {
      if (ino.equals(Files.getAttribute(NETNS.resolve(name), "unix:ino"))) {
        return Optional.of(name);
      }
    }
    return Optional.empty();
  }

  /** The pid of store B's step ({@code sleep TOKEN}), or -1 while it does not run. */
  private static long stepPid() throws IOException {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
        try {
          return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
              .equals("sleep\0" + TOKEN + "\0");
        } catch (IOException e) {
          return false;
        }
      }).mapToLong(p -> Long.parseLong(p.getFileName().toString())).findFirst().orElse(-1);
    }
  }
}
