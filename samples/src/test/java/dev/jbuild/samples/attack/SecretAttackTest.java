package dev.jbuild.samples.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.samples.Jbuild;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the secret boundary (issue #10 item 3) through the real {@code jbuild} CLI, as
 * root: a {@code --secret} value must never reach a disk, not while the step runs, not after
 * {@code kill -9} of jbuild, and never a layer, the history, the config or the build's output.
 */
@Tag("root")
class SecretAttackTest {
  /** Where the runner keeps per-run files (ContainerRunner's tmpfs-or-/run state). */
  private static final Path RUNNER_STATE = Path.of("/run/jbuild");
  private static final long MAX_SEARCHED_BYTES = 64L << 20;

  @TempDir static Path work;
  static Jbuild jbuild;
  /**
   * Shortly before this class made its first secret value: a file whose inode last changed
   * earlier cannot hold one (see {@link #assertNoFileContains}).
   */
  static FileTime started;
  /** The secrets' source files live outside every directory searched for their values. */
  static Path secretsDir;

  @BeforeAll
  static void baseImage() throws Exception {
    // ctime is kept by the kernel's coarse clock, a tick behind the JVM's: 2 s of slack.
    started = FileTime.from(Instant.now().minusSeconds(2));
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
    secretsDir = Files.createDirectories(Path.of("target", "secret-attack-" + UUID.randomUUID())
        .toAbsolutePath());
  }

  @AfterAll
  static void removeSecrets() throws IOException {
    if (secretsDir != null) {
      deleteTree(secretsDir);
    }
  }

  /**
   * Attack: run a build whose RUN reads a {@code --secret} file and then sleeps, and while it
   * sleeps search the store, the runner's state dir and /tmp for the value; then {@code kill -9}
   * the jbuild JVM and search again. Must: the value is in no file at any point, the container
   * dies with jbuild, the next build's runner sweeps the dead run's cgroup, and {@code prune
   * --all} and {@code verify --repair} then succeed on a store that verifies clean.
   */
  @Test
  void killedBuild_leavesTheSecretInNoFile() throws Exception {
    String value = newValue();
    Path src = secretFile("killed", value);
    int nap = 30_000 + (int) (Math.random() * 9_000);
    Path ctx = context("killed", "FROM localbase/busybox:1\n"
        + "RUN --mount=type=secret,id=s,required=true cat /run/secrets/s > /dev/null"
        + " && sleep " + nap + "\n");
    Path log = work.resolve("killed.log");
    Process build = start(log, "build", "--no-cache", "--secret", "id=s,src=" + src,
        ctx.toString());
    try {
      waitFor(() -> !sleepers(nap).isEmpty() || !build.isAlive(), "the RUN step to start");
      assertTrue(build.isAlive(), () -> "the build ended early: " + read(log));
      assertNoFileContains(value, "while the step runs");
    } finally {
      build.destroyForcibly(); // SIGKILL: no shutdown hook runs
      build.waitFor();
    }
    waitFor(() -> sleepers(nap).isEmpty(), "the container to die with jbuild");
    assertNoFileContains(value, "after kill -9 of jbuild");
    assertFalse(read(log).contains(value), "secret in the build output");
    // The next runner removes what the killed one left (its cgroups are named after its pid).
    jbuild.run("build", "--no-cache", context("after-kill", "FROM localbase/busybox:1\n"
        + "RUN true\n").toString()).assertSuccess();
    assertEquals(List.of(), cgroupsOf(build.pid()), "cgroups of the killed build");

    jbuild.run("prune", "--all").assertSuccess();
    jbuild.run("verify", "--repair").assertSuccess();
    Jbuild.Result verify = jbuild.run("verify").assertSuccess();
    assertTrue(verify.stdout().contains("Store is clean"), verify.stdout());
    assertFalse(verify.stdout().contains("leftovers"), verify.stdout());
    assertNoFileContains(value, "after prune and verify");
  }

  /**
   * Attack: an older jbuild wrote secrets to {@code <store>/tmp/run-*}/mount-N and a crash left
   * one behind. Must: {@code verify} reports it as a leftover, and {@code verify --repair} and
   * {@code prune --all} each remove it.
   */
  @Test
  void crashedRunScratchDir_isRemovedByVerifyRepairAndPrune() throws Exception {
    String value = newValue();
    for (List<String> sweep : List.of(List.of("verify", "--repair"), List.of("prune", "--all"))) {
      Path leftover = Files.createDirectories(jbuild.root().resolve("tmp/run-1234567890"));
      Files.writeString(leftover.resolve("mount-0"), value);
      // Older than any run being set up right now.
      Files.setLastModifiedTime(leftover, FileTime.from(Instant.now().minusSeconds(600)));
      if (sweep.get(0).equals("verify")) {
        Jbuild.Result listed = jbuild.run("verify");
        assertTrue(listed.stdout().contains("1 leftovers"), listed.stdout());
      }
      jbuild.run(sweep.toArray(new String[0])).assertSuccess();
      assertFalse(Files.exists(leftover), String.join(" ", sweep) + " left " + leftover);
    }
    assertNoFileContains(value, "after the sweeps");
  }

  /**
   * Attack: a secret given as {@code env=NAME} (BuildKit 1.10 syntax) must reach that RUN's
   * environment, with and without a file target, and nothing else. Must: the variable is set
   * for that RUN only; the file exists only when a target is given; the value is in no layer,
   * history entry, config, stored file or build output; a missing {@code required} secret fails
   * the build with one clear line.
   */
  @Test
  void envSecret_reachesOnlyItsRun() throws Exception {
    String value = newValue();
    Path src = secretFile("env", value);
    String md5 = md5(value);
    Path ctx = context("env", "FROM localbase/busybox:1\n"
        + "RUN --mount=type=secret,id=tok,env=TOKEN"
        + " test \"$(printf %s \"$TOKEN\" | md5sum | cut -c1-32)\" = " + md5
        + " && test ! -e /run/secrets/tok && echo env-only > /env-only\n"
        + "RUN --mount=type=secret,id=tok,env=TOKEN,target=/etc/tok,mode=0440,uid=65534"
        + " test \"$(cat /etc/tok)\" = \"$TOKEN\" && test -n \"$TOKEN\""
        + " && test \"$(stat -c '%a %u' /etc/tok)\" = '440 65534' && echo both > /both\n"
        + "RUN test -z \"$TOKEN\" && test ! -e /etc/tok && echo after > /after\n");
    Jbuild.Result r = jbuild.run("build", "--no-cache", "-t", "secret-env:test", "--secret",
        "id=tok,src=" + src, ctx.toString()).assertSuccess();
    assertFalse((r.stdout() + r.stderr()).contains(value), "secret in the build output");
    Jbuild.Result history = jbuild.run("history", "--no-trunc", "secret-env:test")
        .assertSuccess();
    assertFalse(history.stdout().contains(value), history.stdout());
    assertNoFileContains(value, "after the build");
    assertFalse(blobsContain(value), "secret in a stored blob (layer, config, manifest)");

    Path required = context("env-required", "FROM localbase/busybox:1\n"
        + "RUN --mount=type=secret,id=absent,env=X,required=true true\n");
    Jbuild.Result missing = jbuild.run("build", "--no-cache", required.toString());
    assertEquals(1, missing.exitCode(), missing.stderr());
    assertTrue(missing.stderr().contains("secret absent: not found"), missing.stderr());
  }

  /**
   * Attack (after BuildKit's testSecretAsEnviron): an {@code env=} secret named like an ENV of
   * the stage, whose value tries to smuggle a second variable in with a newline and {@code =}.
   * Must: that RUN sees the whole value in that one variable and nothing else; the next RUN and
   * the image config see the ENV's own value again; the value is in no history entry or
   * stored blob.
   */
  @Test
  void envSecret_shadowingAnEnv_leavesTheEnvAndSmugglesNothing() throws Exception {
    String value = newValue() + "\nSMUGGLED=yes";
    Path src = secretFile("shadow", value);
    Path ctx = context("shadow", "FROM localbase/busybox:1\nENV TOKEN=public\n"
        + "RUN --mount=type=secret,id=tok,env=TOKEN"
        + " test \"$(printf %s \"$TOKEN\" | md5sum | cut -c1-32)\" = " + md5(value)
        + " && test -z \"$SMUGGLED\" && echo shadowed > /shadowed\n"
        + "RUN test \"$TOKEN\" = public && test -z \"$SMUGGLED\" && echo after > /after\n");
    jbuild.run("build", "--no-cache", "-t", "secret-shadow:test", "--secret",
        "id=tok,src=" + src, ctx.toString()).assertSuccess();
    Jbuild.Result inspect = jbuild.run("inspect", "secret-shadow:test").assertSuccess();
    assertTrue(inspect.stdout().contains("TOKEN=public"), inspect.stdout());
    assertFalse(inspect.stdout().contains("SMUGGLED"), inspect.stdout());
    Jbuild.Result history = jbuild.run("history", "--no-trunc", "secret-shadow:test")
        .assertSuccess();
    assertFalse(history.stdout().contains(value.substring(0, 20)), history.stdout());
    // No file scan here: envSecret_reachesOnlyItsRun scans for env= secrets, and a scan costs
    // a minute of CI.
    assertFalse(blobsContain(value.substring(0, 20)), "secret in a stored blob");
  }

  // ---------------------------------------------------------------------------------------------

  private static String newValue() {
    return "s3cr3t-" + UUID.randomUUID();
  }

  private static Path secretFile(String name, String value) throws IOException {
    Path file = secretsDir.resolve(name);
    Files.writeString(file, value);
    return file;
  }

  private static Path context(String name, String dockerfile) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    Files.writeString(dir.resolve("Dockerfile"), dockerfile);
    return dir;
  }

  /** Starts jbuild like {@link Jbuild#run} does, but without waiting; output goes to log. */
  private static Process start(Path log, String... args) throws IOException {
    List<String> cmd = jbuild.command();
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** Host pids of processes running {@code sleep <nap>} (the container's command). */
  private static List<Long> sleepers(int nap) {
    byte[] want = ("sleep\0" + nap + "\0").getBytes(StandardCharsets.US_ASCII);
    List<Long> found = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> {
      try {
        byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
        if (java.util.Arrays.equals(cmdline, want)) {
          found.add(p.pid());
        }
      } catch (IOException | SecurityException e) {
        // gone meanwhile
      }
    });
    return found;
  }

  /** Cgroup directories named after a runner JVM's pid ({@code run-<pid>-<id>}). */
  private static List<Path> cgroupsOf(long pid) throws IOException {
    List<Path> found = new ArrayList<>();
    try (var paths = Files.find(Path.of("/sys/fs/cgroup"), 4, (p, a) -> a.isDirectory()
        && p.getFileName() != null && p.getFileName().toString().startsWith("run-" + pid + "-"))) {
      paths.forEach(found::add);
    }
    return found;
  }

  private interface Condition {
    boolean met() throws Exception;
  }

  /** Polls until the condition holds; fails after five minutes (never asserts on speed). */
  private static void waitFor(Condition condition, String what) throws Exception {
    long deadline = System.nanoTime() + 300_000_000_000L;
    while (!condition.met()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  /**
   * Every regular file under the store root, the runner's state dir and /tmp, except files over
   * 64 MiB there: other tests running at the same time keep huge (sparse) fixtures in /tmp, and
   * a leaked secret would be a small file of its own.
   *
   * <p>Only files whose inode changed since the class {@link #started} are read: writing a file
   * (or renaming, linking or {@code utime}-ing it) sets its ctime to the current time, which no
   * system call can set back, so a file with an older ctime was last written before any secret
   * value of this class existed and cannot hold one. Reading all of /tmp instead (in CI the
   * checkout and every test's scratch store live there) is what made this class slow: one scan
   * took 439 s on a shared development machine with 24 GB in /tmp.
   */
  private static void assertNoFileContains(String value, String when) throws IOException {
    byte[] needle = value.getBytes(StandardCharsets.UTF_8);
    java.util.Set<Path> hits = new java.util.TreeSet<>();
    for (Path root : List.of(jbuild.root(), RUNNER_STATE, Path.of("/tmp"))) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          // The --secret src= files are the user's own; the checkout may live under /tmp.
          // The store, when it lies under /tmp, was searched as the first root already.
          return dir.equals(secretsDir.toAbsolutePath()) || !dir.equals(root)
              && dir.equals(jbuild.root()) ? FileVisitResult.SKIP_SUBTREE
              : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          try {
            if (attrs.isRegularFile() && attrs.size() <= MAX_SEARCHED_BYTES
                && changedSinceStart(file) && contains(file, needle)) {
              hits.add(file);
            }
          } catch (IOException e) {
            // removed meanwhile, or not readable as a file (e.g. a socket)
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    }
    assertEquals(java.util.Set.of(), hits, "files holding the secret " + when);
  }

  /** Whether the file's inode changed (content, name, links, times) since {@link #started}. */
  private static boolean changedSinceStart(Path file) throws IOException {
    FileTime ctime = (FileTime) Files.getAttribute(file, "unix:ctime",
        java.nio.file.LinkOption.NOFOLLOW_LINKS);
    return ctime.compareTo(started) >= 0;
  }

  /** Also looks inside gzip-compressed blobs, where layer contents are. */
  private static boolean blobsContain(String value) throws IOException {
    byte[] needle = value.getBytes(StandardCharsets.UTF_8);
    try (var blobs = Files.list(jbuild.root().resolve("blobs/sha256"))) {
      for (Path blob : (Iterable<Path>) blobs::iterator) {
        byte[] bytes = Files.readAllBytes(blob);
        if (indexOf(bytes, needle) >= 0) {
          return true;
        }
        if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
          try (InputStream in = new GZIPInputStream(Files.newInputStream(blob))) {
            if (indexOf(in.readAllBytes(), needle) >= 0) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  /** Streams the file, so large files of other tests under /tmp are searched too. */
  private static boolean contains(Path file, byte[] needle) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 20];
      int kept = 0;
      int n;
      while ((n = in.read(buf, kept, buf.length - kept)) > 0) {
        int len = kept + n;
        if (indexOf(java.util.Arrays.copyOf(buf, len), needle) >= 0) {
          return true;
        }
        // Keep the tail that a match could start in.
        kept = Math.min(needle.length - 1, len);
        System.arraycopy(buf, len - kept, buf, 0, kept);
      }
      return false;
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  private static String md5(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
        .digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
