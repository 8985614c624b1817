package dev.jbuild.samples.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.samples.Jbuild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks through {@code RUN --mount=type=cache,source=SUBPATH} with the real {@code jbuild}
 * CLI, as root. A cache directory is written by RUN steps, so one step can plant a symlink that a
 * later step's {@code source=} names; jbuild resolves the subpath on the host, so a followed
 * link would show (and let the step write) host files. Ported in spirit from BuildKit's
 * testCacheMountSourceEscape (frontend/dockerfile/dockerfile_mount_test.go), with more links:
 * absolute, relative, in the middle of the subpath, a {@code ..} source, and a link swapped in
 * while a build mounts it. Must: every such build is refused with one clear line
 * naming the mount; no host file is read (the canary's secret is in no output) or written
 * ({@link HostSentinel}).
 */
@Tag("root")
class CacheMountAttackTest {
  @TempDir static Path work;
  static Jbuild jbuild;
  static HostSentinel host;

  @BeforeAll
  static void setUp() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
    host = HostSentinel.create();
    // One step plants the links (cache atk) and the race's directory (cache race).
    build("plant", "FROM localbase/busybox:1\n"
        + "RUN --mount=type=cache,id=atk,target=/c"
        + " ln -s " + host.canary() + " /c/abs"
        + " && ln -s " + host.climbToCanary() + " /c/rel"
        + " && ln -s / /c/root\n"
        + "RUN --mount=type=cache,id=race,target=/c mkdir -p /c/sel"
        + " && echo benign > /c/sel/benign && touch /c/race-marker\n").assertSuccess();
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (host != null) {
      host.close();
    }
  }

  /**
   * A RUN step that mounts cache {@code id} at {@code source} on {@code /v}, reads what an
   * escape would show (the canary's secret, directly or below {@code /}) and tries to plant
   * {@code pwned} files; it succeeds whatever it finds, so only the mount can fail it.
   */
  private static String victim(String id, String source, int n) {
    String canaryName = host.canary().getFileName().toString();
    return "RUN --mount=type=cache,id=" + id + ",source=" + source + ",target=/v"
        + " cat /v/secret /v/tmp/" + canaryName + "/secret /v/benign 2>/dev/null;"
        + " echo pwned > /v/" + HostSentinel.PWNED + "-" + n + " 2>/dev/null;"
        + " mkdir /v/tmp/" + canaryName + "/" + HostSentinel.PWNED + "-dir 2>/dev/null; true\n";
  }

  /** Builds {@code dockerfile} in a fresh context; the result must hold no host secret. */
  private static Jbuild.Result build(String name, String dockerfile)
      throws IOException, InterruptedException {
    return build(name, dockerfile, "--no-cache");
  }

  /** As {@link #build(String, String)}, with {@code flags} ({@code "--no-cache"} or none). */
  private static Jbuild.Result build(String name, String dockerfile, String... flags)
      throws IOException, InterruptedException {
    Path ctx = Files.createDirectories(work.resolve(name));
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    List<String> args = new java.util.ArrayList<>(List.of("build", "--progress=plain"));
    args.addAll(List.of(flags));
    args.add(ctx.toString());
    Jbuild.Result r = jbuild.run(args.toArray(String[]::new));
    assertFalse((r.stdout() + r.stderr()).contains(HostSentinel.SECRET),
        name + ": the host's secret is in the output:\n" + r.stdout() + r.stderr());
    return r;
  }

  /**
   * Attack: a step planted links in cache {@code atk} (absolute, relative, {@code root -> /});
   * each build mounts one with {@code source=}, or climbs with {@code ..}. Must: each is refused
   * cleanly, saying which mount and why. (Every other kind of link, and links inside the cache,
   * are the runner's SubpathMountTest.)
   */
  @Test
  void plantedLinks_areRefused_andTheHostIsUntouched() throws Exception {
    Map<String, String> before = host.state();
    String canaryName = host.canary().getFileName().toString();
    Map<String, String> attacks = Map.of(
        "abs", "is a symbolic link or passes through one",
        "rel", "is a symbolic link or passes through one",
        "root/tmp/" + canaryName, "is a symbolic link or passes through one",
        // No link: the climb itself stops at the cache's root (as BuildKit's path.Join).
        "../../../../tmp/" + canaryName, "source \"tmp/" + canaryName + "\" does not exist");
    int n = 0;
    for (Map.Entry<String, String> attack : attacks.entrySet()) {
      String what = "source=" + attack.getKey();
      Jbuild.Result r = build("attack-" + n, "FROM localbase/busybox:1\n"
          + victim("atk", attack.getKey(), n++));
      Attacks.assertRefused(r, what);
      String error = r.stderr().lines().filter(l -> l.startsWith("error: ")).findFirst()
          .orElseThrow();
      assertTrue(error.contains("cache mount /v: source ") && error.contains(attack.getValue()),
          what + ": " + error);
      host.assertUntouched(before, what);
    }
  }

  /**
   * Attack: while builds mount {@code source=sel} step after step, a host thread (standing in
   * for a RUN step of a concurrent build sharing the cache) swaps {@code sel} between a real
   * directory and a link to the canary as fast as it can, so a check made before the mount
   * would be stale by the time of the mount. Must: the build succeeds having seen only the
   * benign directory, or is refused cleanly at a step; the host is untouched. How far it gets
   * depends on timing, so only these outcomes are asserted.
   */
  @Test
  void linkSwappedInDuringTheBuild_neverReachesTheHost() throws Exception {
    Map<String, String> before = host.state();
    Path cache = cacheDirHolding("race-marker");
    Path sel = cache.resolve("sel");
    Path dirHeld = cache.resolve("held-dir");
    Path linkHeld = Files.createSymbolicLink(cache.resolve("held-link"), host.canary());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<IOException> swapFailed = new AtomicReference<>();
    Thread swapper = new Thread(() -> {
      try {
        while (!stop.get()) {
          Files.move(sel, dirHeld, StandardCopyOption.ATOMIC_MOVE);
          Files.move(linkHeld, sel, StandardCopyOption.ATOMIC_MOVE);
          Files.move(sel, linkHeld, StandardCopyOption.ATOMIC_MOVE);
          Files.move(dirHeld, sel, StandardCopyOption.ATOMIC_MOVE);
        }
      } catch (IOException e) {
        swapFailed.set(e);
      }
    }, "cache-link-swapper");
    StringBuilder dockerfile = new StringBuilder("FROM localbase/busybox:1\n");
    for (int i = 0; i < 12; i++) {
      dockerfile.append(victim("race", "sel", i));
    }
    swapper.start();
    try {
      Jbuild.Result r = build("race", dockerfile.toString());
      if (!Attacks.succeededOrRefusedCleanly(r, "swapped link")) {
        assertTrue(r.stderr().contains("cache mount /v: source \"sel\" "), r.stderr());
      }
    } finally {
      stop.set(true);
      swapper.join();
    }
    assertEquals(null, swapFailed.get(), "the swapper stopped early");
    host.assertUntouched(before, "swapped link");
  }

  /**
   * Attack: a cache seeded from a stage ({@code from=evil,source=...}) whose chosen path is a
   * link out of the stage ({@code /etc}, {@code ../../..}, the host's canary), or a
   * directory of links to host files ({@code /etc/shadow}, the canary's secret, a climb). The
   * seed is a copy of the stage's own files, so no host file may be copied into the cache or
   * shown to the RUN. Must: a linked source is refused cleanly naming the mount, as any cache
   * source that is a link; links inside the source stay links in the cache (the same text),
   * resolved by the RUN inside its own rootfs, where they find no host file.
   */
  @Test
  void seededFromAStageWithLinks_copiesNoHostFile() throws Exception {
    Map<String, String> before = host.state();
    String canary = host.canary().toString();
    String evil = "FROM localbase/busybox:1 AS evil\n"
        + "RUN ln -s /etc /deps-etc && ln -s ../../.. /deps-climb"
        + " && ln -s " + canary + " /deps-canary && mkdir /deps"
        + " && ln -s /etc/shadow /deps/shadow && ln -s " + canary + "/secret /deps/link"
        + " && ln -s " + host.climbToCanary() + " /deps/up\n"
        + "FROM localbase/busybox:1\n";
    String seeded = "RUN --mount=type=cache,id=seeded,target=/x,from=evil,source=";
    int n = 0;
    // (A link to / takes the same path as /etc; plantedLinks_areRefused covers root -> /.)
    for (String source : List.of("/deps-etc", "deps-climb", "/deps-canary")) {
      String what = "from=evil,source=" + source;
      // Cached builds: the evil stage is built once, so one seeded cache serves every attack.
      Jbuild.Result r = build("seed-attack-" + n++, evil + seeded + source
          + " cat /x/secret /x/shadow /x/passwd /x/" + host.canaryRelative() + "/secret;"
          + " echo pwned > /x/" + HostSentinel.PWNED + " 2>/dev/null; true\n", new String[0]);
      Attacks.assertRefused(r, what);
      assertTrue(r.stderr().contains("cache mount /x: source \"" + source.replaceFirst("^/", "")
          + "\" is a symbolic link or passes through one"), what + ": " + r.stderr());
      host.assertUntouched(before, what);
    }
    // Links inside the source: the RUN sees them as links and reading them reaches nothing of
    // the host (a container's /etc/shadow is the stage's, which busybox does not have).
    Jbuild.Result r = build("seed-inner-links", evil + seeded + "/deps"
        + " for l in shadow link up; do echo \"$l=$(readlink /x/$l)\";"
        + " cat /x/$l 2>/dev/null && echo \"read-$l\"; done;"
        + " echo pwned > /x/up/" + HostSentinel.PWNED + " 2>/dev/null; true\n", new String[0]);
    r.assertSuccess();
    String out = r.stdout() + r.stderr();
    assertTrue(out.contains("shadow=/etc/shadow") && out.contains("link=" + canary + "/secret")
        && out.contains("up=" + host.climbToCanary()), "the links' texts:\n" + out);
    assertFalse(out.contains("read-link") || out.contains("read-up") || out.contains("read-shadow"),
        "a link reached a file:\n" + out);
    host.assertUntouched(before, "links inside the seeded source");
    // On the host, the seeded cache holds the same links (never their targets' contents).
    List<Path> caches;
    try (Stream<Path> dirs = Files.list(jbuild.root().resolve("cache/mounts"))) {
      caches = dirs.filter(d -> Files.exists(d.resolve("deps/link"), LinkOption.NOFOLLOW_LINKS))
          .toList();
    }
    assertFalse(caches.isEmpty(), "no seeded cache in the store");
    for (Path cache : caches) {
      for (String name : List.of("shadow", "link", "up")) {
        Path link = cache.resolve("deps").resolve(name);
        assertTrue(Files.isSymbolicLink(link), link + " is no longer a link");
      }
      assertEquals(Path.of("/etc/shadow"), Files.readSymbolicLink(cache.resolve("deps/shadow")));
      assertTrue(Files.isSymbolicLink(cache.resolve("deps-etc")), cache + "/deps-etc");
      try (Stream<Path> walk = Files.walk(cache)) {
        List<Path> leaked = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
            .filter(p -> p.getFileName().toString().equals("shadow")
                || p.getFileName().toString().startsWith(HostSentinel.PWNED)
                || contains(p, HostSentinel.SECRET))
            .toList();
        assertEquals(List.of(), leaked, "host files copied into the seeded cache " + cache);
      }
    }
  }

  private static boolean contains(Path file, String text) {
    try {
      return Files.size(file) < (1 << 20) && Files.readString(file).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  /** The directory under the store's {@code cache/mounts/} that holds {@code marker}. */
  private static Path cacheDirHolding(String marker) throws IOException {
    try (Stream<Path> dirs = Files.list(jbuild.root().resolve("cache/mounts"))) {
      List<Path> found = dirs.filter(d -> Files.exists(d.resolve(marker))).toList();
      assertEquals(1, found.size(), "cache dirs holding " + marker + ": " + found);
      return found.get(0);
    }
  }
}
