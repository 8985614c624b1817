package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BindMount#subpath} on real namespaces as root: the runner binds {@code root/subpath}
 * where {@code root} (a cache directory) holds whatever RUN steps wrote, so a symlink anywhere
 * in the subpath (absolute, relative, in the middle, swapped in while the runner resolves it)
 * must fail the run with {@link BindMount#SUBPATH_STAGE} and never show or change a file of the
 * host. Ported in spirit from BuildKit's testCacheMountSourceEscape
 * (frontend/dockerfile/dockerfile_mount_test.go).
 */
@Tag("root")
class SubpathMountTest {
  private static final String SECRET = "host-secret-7731";

  @TempDir static Path shared;
  static Path lower;
  static ContainerRunner runner;
  /** Outside every cache: what an escape would reach. */
  static Path host;

  @TempDir Path tmp;
  Path cache;

  @BeforeAll
  static void setUp() throws Exception {
    lower = BusyboxRootfs.create(shared.resolve("lower"));
    runner = ContainerRunner.create(shared.resolve("state"));
    host = Files.createDirectories(shared.resolve("host"));
    Files.writeString(host.resolve("secret"), SECRET + "\n");
    Files.createDirectories(host.resolve("dir"));
    Files.writeString(host.resolve("dir/secret"), SECRET + "\n");
  }

  @AfterAll
  static void tearDown() {
    runner.close();
  }

  @BeforeEach
  void cacheDir() throws IOException {
    cache = Files.createDirectories(tmp.resolve("cache"));
    Files.createDirectories(cache.resolve("sub/deeper"));
    Files.writeString(cache.resolve("sub/benign"), "benign\n");
    Files.writeString(cache.resolve("file"), "a file\n");
  }

  private record Run(ExitStatus status, String out) {}

  /** Runs {@code script} with {@code cache/subpath} on {@code /v}, read-write. */
  private Run run(String subpath, String script) throws Exception {
    Path upper = Files.createDirectories(tmp.resolve("upper-" + System.nanoTime()));
    Path work = Files.createDirectories(tmp.resolve("work-" + System.nanoTime()));
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(lower)).upperDir(upper)
        .workDir(work).env(List.of("PATH=/bin")).args("sh", "-c", script)
        .addMount(BindMount.subpath(cache, subpath, "/v", false)).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExitStatus status = runner.run(spec, out, out, Duration.ofMinutes(2));
    return new Run(status, out.toString(StandardCharsets.UTF_8));
  }

  /** What the run's attack script tries through the mount: read the host's secret, plant. */
  private static final String ATTACK = "cat /v/secret /v/dir/secret /v/benign 2>/dev/null;"
      + " echo pwned > /v/pwned 2>/dev/null; mkdir /v/pwned-dir 2>/dev/null; true";

  @Test
  void subpath_showsThatDirectoryOnly_andWritesGoToTheCache() throws Exception {
    Run r = run("sub", "cat /v/benign; ls /v; echo new > /v/deeper/new");
    assertEquals(0, r.status().exitCode(), r.out());
    assertEquals("benign\nbenign\ndeeper\n", r.out());
    assertEquals("new\n", Files.readString(cache.resolve("sub/deeper/new")));
    assertEquals(0, run("sub/deeper", "test \"$(cat /v/new)\" = new").status().exitCode());
  }

  @Test
  void subpath_mayBeAFile() throws Exception {
    Run r = run("file", "cat /v");
    assertEquals(0, r.status().exitCode(), r.out());
    assertEquals("a file\n", r.out());
  }

  /**
   * Attack: every kind of link the cache's writer can plant. Must: the run fails before the
   * command starts, naming the mount and the source, and the host directory is unchanged.
   */
  @Test
  void links_anywhereInTheSubpath_areRefused() throws Exception {
    Map<String, String> before = state(host);
    Files.createSymbolicLink(cache.resolve("abs"), host);
    Files.createSymbolicLink(cache.resolve("rel"), Path.of("../".repeat(30)
        + host.toString().substring(1)));
    Files.createSymbolicLink(cache.resolve("up"), Path.of("../../.."));
    Files.createSymbolicLink(cache.resolve("inside"), Path.of("sub"));
    Files.createSymbolicLink(cache.resolve("sub/abs-file"), host.resolve("secret"));
    Files.createSymbolicLink(cache.resolve("proc"), Path.of("/proc/self/root" + host));
    for (String subpath : List.of("abs", "rel", "up", "inside", "abs/dir", "rel/dir",
        "up/" + host.getFileName(), "sub/abs-file", "proc")) {
      RunnerException e = assertThrows(RunnerException.class, () -> run(subpath, ATTACK),
          subpath);
      assertEquals(BindMount.SUBPATH_STAGE, e.stage(), e.getMessage());
      assertEquals("/v: source \"" + subpath + "\" is a symbolic link or passes through one",
          e.detail());
    }
    assertEquals(before, state(host), "the host directory changed");
  }

  @Test
  void missingOrNonDirectoryParts_areRefused() throws Exception {
    RunnerException missing = assertThrows(RunnerException.class, () -> run("nope", "true"));
    assertEquals(BindMount.SUBPATH_STAGE, missing.stage());
    assertEquals("/v: source \"nope\" does not exist", missing.detail());
    RunnerException notDir = assertThrows(RunnerException.class, () -> run("file/x", "true"));
    assertEquals("/v: source \"file/x\" passes through something that is not a directory",
        notDir.detail());
  }

  /**
   * Attack: while runs mount {@code sel}, a host thread (standing in for a RUN step of another
   * build that shares the cache) swaps {@code sel} between a real directory and a symlink to the
   * host directory as fast as it can. Must: each run either sees the benign directory or fails
   * with the subpath error; none ever reads the host's secret or writes there. (How often each
   * happens depends on timing, so only the outcome of each run is asserted.)
   */
  @Test
  void swappingALinkIn_duringTheMount_neverReachesTheHost() throws Exception {
    Map<String, String> before = state(host);
    Path sel = cache.resolve("sel");
    Path dirHeld = cache.resolve("held-dir");
    Path linkHeld = cache.resolve("held-link");
    Files.createDirectories(sel);
    Files.writeString(sel.resolve("benign"), "benign\n");
    Files.createSymbolicLink(linkHeld, host);
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
    }, "swapper");
    int seen = 0;
    int refused = 0;
    swapper.start();
    try {
      for (int i = 0; i < 12; i++) {
        try {
          Run r = run("sel", ATTACK);
          assertEquals(0, r.status().exitCode(), r.out());
          assertFalse(r.out().contains(SECRET), "the host's secret was read: " + r.out());
          assertEquals("benign\n", r.out());
          seen++;
        } catch (RunnerException e) {
          assertEquals(BindMount.SUBPATH_STAGE, e.stage(), e.getMessage());
          assertTrue(e.detail().endsWith(" is a symbolic link or passes through one")
              || e.detail().endsWith(" does not exist"), e.detail());
          refused++;
        }
      }
    } finally {
      stop.set(true);
      swapper.join();
    }
    assertEquals(null, swapFailed.get(), "the swapper stopped early");
    System.out.println("[subpath race] benign directory " + seen + ", refused " + refused);
    assertEquals(before, state(host), "the host directory changed");
  }

  /**
   * Bad input past Java's checks: rrun itself refuses a spec whose subpath is absolute, climbs
   * or has empty parts (defence in depth: RESOLVE_IN_ROOT would keep a climb inside anyway).
   */
  @Test
  void rrun_refusesASpecWithAClimbingSubpath() throws Exception {
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(lower)).upperDir(tmp)
        .workDir(tmp).args("true").build();
    com.fasterxml.jackson.databind.node.ObjectNode json =
        (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind
            .ObjectMapper().readTree(RrunSpec.toJson(spec, tmp.resolve("rootfs"),
                List.of(BindMount.subpath(cache, "sub", "/v", false)), List.of()));
    Path rrun = RrunBinary.extract(tmp.resolve("rrun-state"));
    int n = 0;
    for (String bad : List.of("..", "../etc", "sub/../..", "/etc", "", "sub//deeper", "sub/")) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("mounts").get(0))
          .put("subpath", bad);
      Path specFile = Files.write(tmp.resolve("spec-" + n + ".json"),
          json.toString().getBytes(StandardCharsets.UTF_8));
      Path status = tmp.resolve("status-" + n++);
      Process p = new ProcessBuilder(rrun.toString(), specFile.toString(), status.toString())
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      assertEquals(125, p.waitFor(), bad);
      String line = Files.readString(status);
      assertTrue(line.contains("\"error\":\"spec\"") && line.contains("mount subpath"),
          bad + ": " + line);
    }
  }

  /** Every path under {@code dir} with its content (files) or kind. */
  private static Map<String, String> state(Path dir) throws IOException {
    Map<String, String> state = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        state.put(p.toString(), Files.isRegularFile(p) ? Files.readString(p)
            : Files.isDirectory(p) ? "dir" : "other");
      }
    }
    return state;
  }
}
