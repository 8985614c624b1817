package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rootless mode (issue #12, environment B): jbuild run by a non-root user who has {@code
 * /etc/subuid} and {@code /etc/subgid} ranges re-executes itself in a user namespace and builds
 * the same image as root does. Runs as root (CI): it adds two throwaway users, one with ranges
 * (useradd's default) and one without, gives them the built {@code builder/target/jbuild.jar}
 * and the offline busybox base, and runs jbuild as them with setpriv. Needs uidmap
 * (newuidmap/newgidmap) and a kernel with overlayfs in user namespaces (5.11+).
 */
@Tag("root")
class RootlessBuildTest {
  private static final String EPOCH = "1700000000";
  private static final String BASE = "localbase/busybox:rootless";
  /** Every kind of change a layer diff must get right: owners, whiteouts, opaque dirs, links. */
  private static final String DOCKERFILE = "FROM " + BASE + "\n"
      + "RUN mkdir -p /data/keep /data/gone && echo a > /data/keep/f && echo b > /data/gone/g"
      + " && chown -R 1000:1000 /data/keep && ln /data/keep/f /data/keep/f-link"
      + " && echo c > /etc/owned && chown 1000:1000 /etc/owned\n"
      + "RUN --network=none rm /etc/group && rm -rf /data/gone /var/www"
      + " && rm -rf /root && mkdir /root && echo r > /root/new && ln /etc/passwd /etc/passwd-link"
      + " && test \"$(cat /proc/self/uid_map | wc -l)\" -ge 1 && test -c /dev/null && : > /dev/null\n";

  @TempDir static Path work;
  static String user;
  static String noRangesUser;
  static Path jar;
  static Path busybox;

  @BeforeAll
  static void setUp() throws Exception {
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    // -Djbuild.jar=PATH runs these tests against another build (e.g. an older one).
    Path built = Path.of(System.getProperty("jbuild.jar",
        Jbuild.samplesDir().getParent().resolve("builder/target/jbuild.jar").toString()));
    assertTrue(Files.isRegularFile(built), "the build must have packaged " + built);
    jar = Files.copy(built, work.resolve("jbuild.jar"));
    busybox = work.resolve("busybox-rootfs.tar");
    Process p = new ProcessBuilder(Jbuild.samplesDir().resolve("base/busybox-rootfs.sh").toString(),
        busybox.toString()).inheritIO().start();
    assertEquals(0, p.waitFor(), "busybox-rootfs.sh failed (is busybox-static installed?)");
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(busybox, PosixFilePermissions.fromString("rw-r--r--"));
    Files.writeString(Files.createDirectories(work.resolve("ctx")).resolve("Dockerfile"),
        DOCKERFILE);
    int n = ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    user = "jbrl" + n;
    TestUsers.add(user);
    noRangesUser = "jbnr" + n;
    // SUB_UID_COUNT=0: useradd gives this one no /etc/subuid or /etc/subgid range.
    TestUsers.add(noRangesUser, "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0");
    for (String u : List.of(user, noRangesUser)) {
      Path home = Files.createDirectories(work.resolve("home-" + u));
      exec(List.of("chown", u + ":" + u, home.toString())).assertSuccess("chown");
    }
  }

  @AfterAll
  static void removeUsers() throws Exception {
    for (String u : new String[] {user, noRangesUser}) {
      if (u != null) {
        // userdel also removes the user's /etc/subuid and /etc/subgid lines.
        TestUsers.remove(u);
      }
    }
  }

  /**
   * The same Dockerfile built by root and by the user in rootless mode, both with {@code
   * SOURCE_DATE_EPOCH}: the image digests are identical, and the rootless layers hold owners 0
   * and 1000, whiteouts, an opaque directory and hardlinks.
   */
  @Test
  void rootlessBuild_sameImageAsRoot() throws Exception {
    Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", EPOCH);
    Path rootStore = work.resolve("root-store");
    asRoot(env, "--root", rootStore.toString(), "import", busybox.toString(), BASE).assertSuccess();
    Result asRoot = asRoot(env, "--root", rootStore.toString(), "build", "-q", "-t", "rl:1",
        work.resolve("ctx").toString()).assertSuccess();
    assertFalse(asRoot.stderr().contains("rootless"), asRoot.stderr());

    Path store = work.resolve("home-" + user).resolve("store");
    asUser(user, env, "--root", store.toString(), "import", busybox.toString(), BASE)
        .assertSuccess();
    Result rootless = asUser(user, env, "--root", store.toString(), "build", "-q", "-t", "rl:1",
        work.resolve("ctx").toString()).assertSuccess();
    assertEquals(1, rootless.stderr().lines().filter(l -> l.startsWith("jbuild: rootless mode"))
        .count(), "the mode is said once: " + rootless.stderr());
    assertEquals(asRoot.stdout(), rootless.stdout(), "image IDs of root and rootless builds");

    Path archive = work.resolve("home-" + user).resolve("rl.tar");
    asUser(user, Map.of(), "--root", store.toString(), "save", "-o", archive.toString(), "rl:1")
        .assertSuccess();
    List<List<String>> layers = layerEntries(archive);
    assertEquals(3, layers.size(), layers.toString());
    assertEquals(List.of(
        "data/ 0:0 dir", "data/gone/ 0:0 dir", "data/gone/g 0:0 file",
        "data/keep/ 1000:1000 dir", "data/keep/f 1000:1000 file",
        "data/keep/f-link 1000:1000 link data/keep/f", "etc/ 0:0 dir",
        "etc/owned 1000:1000 file"), layers.get(1));
    assertEquals(List.of(
        "data/ 0:0 dir", "data/.wh.gone 0:0 file", "etc/ 0:0 dir", "etc/.wh.group 0:0 file",
        "etc/passwd 0:0 file", "etc/passwd-link 0:0 link etc/passwd",
        "root/ 0:0 dir", "root/.wh..wh..opq 0:0 file", "root/new 0:0 file", "var/ 0:0 dir",
        "var/.wh.www 0:0 file"), layers.get(2));
  }

  /** Limits need cgroups, which a user namespace cannot write: one line saying so, no build. */
  @Test
  void rootlessBuild_memoryLimitIsOneLineError() throws Exception {
    Path store = work.resolve("home-" + user).resolve("store-mem");
    Result r = asUser(user, Map.of(), "--root", store.toString(), "build", "--memory", "64m",
        work.resolve("ctx").toString());
    assertEquals(1, r.exitCode(), r.stderr());
    assertEquals("error: --memory, --cpu-quota and --pids-limit need cgroups, which rootless "
        + "mode (jbuild as a non-root user) cannot write: run jbuild as root, or build without "
        + "them", r.stderr().strip(), r.stderr());
  }

  /** The bridge needs the host's network: an explicit request for it is refused in one line. */
  @Test
  void rootlessBuild_bridgeNetworkIsOneLineError() throws Exception {
    Path store = work.resolve("home-" + user).resolve("store-net");
    Result r = asUser(user, Map.of(), "--root", store.toString(), "build", "--network", "bridge",
        work.resolve("ctx").toString());
    assertEquals(1, r.exitCode(), r.stderr());
    assertTrue(r.stderr().strip().startsWith("error: --network bridge needs the host bridge"),
        r.stderr());
    assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
  }

  /**
   * {@code RUN --mount=type=cache,source=} in rootless mode: rrun opens the subpath the same way
   * inside the user namespace (openat2 needs no privilege), so a subpath of the cache works and
   * a link the cache's writer planted ({@code root -> /}) is refused in one line.
   */
  @Test
  void rootlessBuild_cacheSource_subpathWorks_linkRefused() throws Exception {
    Path store = work.resolve("home-" + user).resolve("store-cache");
    asUser(user, Map.of(), "--root", store.toString(), "import", busybox.toString(), BASE)
        .assertSuccess();
    Path ctx = Files.createDirectories(work.resolve("cache-source-ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + BASE + "\n"
        + "RUN --mount=type=cache,id=c,target=/c mkdir -p /c/sub && echo hi > /c/sub/f"
        + " && ln -s / /c/root\n"
        + "RUN --mount=type=cache,id=c,source=sub,target=/s test \"$(cat /s/f)\" = hi\n"
        + "RUN --mount=type=cache,id=c,source=root/etc,target=/r cat /r/shadow\n");
    exec(List.of("chmod", "-R", "a+rX", ctx.toString())).assertSuccess("chmod");
    Result r = asUser(user, Map.of(), "--root", store.toString(), "build", "--progress=plain",
        ctx.toString());
    assertEquals(1, r.exitCode(), r.stderr());
    String last = r.stderr().strip().lines().reduce((a, b) -> b).orElse("");
    // Line 4 failed, so line 3 (source=sub) ran and saw the file.
    assertTrue(last.startsWith("error: Dockerfile:4: ") && last.contains(
        "cache mount /r: source \"root/etc\" is a symbolic link or passes through one"),
        r.stderr());
    assertFalse(r.stderr().contains("\tat ") || r.stderr().contains("root:"), r.stderr());
  }

  /**
   * Attack from a RUN step in rootless mode: ids outside the user's range, block device nodes
   * and the host's cgroups are out of reach, and the user's own uid is root only inside.
   */
  @Test
  void rootlessRun_cannotLeaveTheMappedRange() throws Exception {
    Path store = work.resolve("home-" + user).resolve("store-attack");
    asUser(user, Map.of(), "--root", store.toString(), "import", busybox.toString(), BASE)
        .assertSuccess();
    Result r = asUser(user, Map.of(), "--root", store.toString(), "run", "--rm", "--network",
        "none", BASE, "sh", "-c",
        "touch /x; chown 70000 /x 2>/dev/null && echo chown-outside-range;"
            + " mknod /b b 8 0 2>/dev/null && echo mknod-block;"
            + " echo 1 > /proc/sys/kernel/panic 2>/dev/null && echo proc-sys-writable;"
            + " mkdir /sys/fs/cgroup/x 2>/dev/null && echo cgroup-writable;"
            + " cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //'");
    assertEquals(0, r.exitCode(), r.stderr());
    String uid = exec(List.of("id", "-u", user)).output().strip();
    assertTrue(r.stdout().startsWith("0 " + uid + " 1\n1 "), r.stdout());
    assertFalse(r.stdout().contains("outside-range") || r.stdout().contains("mknod-block")
        || r.stdout().contains("writable"), r.stdout());
  }

  /**
   * Bad input: an image whose file belongs to uid 200000, beyond the user's 65536 subordinate
   * ids. Unpacking it cannot give that owner; the user is told why and what to change.
   */
  @Test
  void rootless_ownerOutsideTheRange_saysWhatToChange() throws Exception {
    Path tar = work.resolve("far-owner.tar");
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      TarArchiveEntry far = new TarArchiveEntry("far");
      far.setSize(1);
      far.setMode(0100644);
      far.setUserId(200000);
      far.setGroupId(200000);
      out.putArchiveEntry(far);
      out.write('x');
      out.closeArchiveEntry();
    }
    Files.setPosixFilePermissions(tar, PosixFilePermissions.fromString("rw-r--r--"));
    Path store = work.resolve("home-" + user).resolve("store-far");
    asUser(user, Map.of(), "--root", store.toString(), "import", tar.toString(), "far:1")
        .assertSuccess();
    Result r = asUser(user, Map.of(), "--root", store.toString(), "run", "--rm", "far:1", "/far");
    assertNotEquals(0, r.exitCode(), r.stderr());
    String last = r.stderr().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("error: ") && last.contains("Tried to give far the owner "
        + "200000:200000 but failed because: rootless mode maps only the ids of your /etc/subuid "
        + "and /etc/subgid ranges"), r.stderr());
    assertFalse(r.stderr().contains("\tat "), r.stderr());

    // The same for COPY --chown to such an owner (it said "…/upper/f: Invalid argument").
    Path ctx = Files.createDirectories(work.resolve("far-chown-ctx"));
    Files.writeString(ctx.resolve("f"), "x");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY --chown=200000:200000 f /f\n");
    exec(List.of("chmod", "-R", "a+rX", work.toString()));
    Result copy = asUser(user, Map.of(), "--root", store.toString(), "build", "--progress=plain",
        "-t", "far:2", ctx.toString());
    assertNotEquals(0, copy.exitCode(), copy.stderr());
    String lastCopy = copy.stderr().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(lastCopy.startsWith("error: ") && lastCopy.contains("Tried to give f the owner "
        + "200000:200000 but failed because: rootless mode maps only the ids"), copy.stderr());
    assertFalse(copy.stderr().contains("\tat "), copy.stderr());
  }

  /**
   * A user without /etc/subuid ranges: commands that need no container still work, the first
   * RUN says what to add, and {@code JBUILD_ISOLATION=rootless} says it at once.
   */
  @Test
  void noSubuidRanges_actionableError() throws Exception {
    Path store = work.resolve("home-" + noRangesUser).resolve("store");
    asUser(noRangesUser, Map.of(), "--root", store.toString(), "import", busybox.toString(), BASE)
        .assertSuccess();
    Result build = asUser(noRangesUser, Map.of(), "--root", store.toString(), "build",
        work.resolve("ctx").toString());
    assertEquals(1, build.exitCode(), build.stderr());
    String last = build.stderr().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("error: Dockerfile:2: "), build.stderr());
    assertTrue(last.endsWith("Tried to start rootless mode for user " + noRangesUser
        + " but failed because: /etc/subuid has no range for " + noRangesUser + ". Add one as "
        + "root (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "
        + noRangesUser + "), or run jbuild as root"), build.stderr());
    assertFalse(build.stderr().contains("\tat "), build.stderr());

    Result forced = asUser(noRangesUser, Map.of("JBUILD_ISOLATION", "rootless"), "--root",
        store.toString(), "images");
    assertEquals(1, forced.exitCode(), forced.stderr());
    assertTrue(forced.stderr().strip().startsWith("error: Tried to start rootless mode for user "
        + noRangesUser), forced.stderr());
    assertEquals(1, forced.stderr().strip().lines().count(), forced.stderr());
    assertNotEquals("", asUser(noRangesUser, Map.of(), "--root", store.toString(), "images")
        .assertSuccess().stdout());
  }

  // ---------------------------------------------------------------------------------------------

  record Result(int exitCode, String stdout, String stderr) {
    Result assertSuccess() {
      if (exitCode != 0) {
        throw new AssertionError("jbuild exited " + exitCode + "\nstdout:\n" + stdout
            + "\nstderr:\n" + stderr);
      }
      return this;
    }
  }

  private static Result asRoot(Map<String, String> env, String... args) throws Exception {
    return jbuild(List.of(), env, args);
  }

  /** Runs the jar as {@code u}, who then has no capabilities left (see StoreAttackTest). */
  private static Result asUser(String u, Map<String, String> env, String... args)
      throws Exception {
    return jbuild(List.of("setpriv", "--reuid=" + u, "--regid=" + u, "--clear-groups", "--"),
        env, args);
  }

  private static Result jbuild(List<String> prefix, Map<String, String> env, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
      Map<String, String> environment = pb.environment();
      for (String var : List.of("JBUILD_ISOLATION", "JBUILD_ROOT", "XDG_RUNTIME_DIR",
          "SOURCE_DATE_EPOCH")) {
        environment.remove(var);
      }
      environment.put("HOME", prefix.isEmpty() ? work.toString()
          : work.resolve("home-" + cmd.get(1).substring("--reuid=".length())).toString());
      environment.putAll(env);
      Process p = pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("jbuild " + String.join(" ", args) + " did not end");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Each layer's entries as {@code name uid:gid type [link target]}, in archive order. */
  private static List<List<String>> layerEntries(Path archive) throws Exception {
    Map<String, byte[]> blobs = new HashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile()) {
          blobs.put(e.getName(), tar.readAllBytes());
        }
      }
    }
    JsonNode manifest = new ObjectMapper().readTree(blobs.get("manifest.json"));
    List<List<String>> layers = new ArrayList<>();
    for (JsonNode layer : manifest.get(0).get("Layers")) {
      List<String> entries = new ArrayList<>();
      try (InputStream in = new GzipCompressorInputStream(
              new ByteArrayInputStream(blobs.get(layer.asText())));
          TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          String type = e.isDirectory() ? "dir" : e.isLink() ? "link " + e.getLinkName()
              : e.isSymbolicLink() ? "symlink " + e.getLinkName() : e.isFile() ? "file" : "other";
          entries.add(e.getName() + " " + e.getLongUserId() + ":" + e.getLongGroupId() + " " + type);
        }
      }
      layers.add(entries);
    }
    return layers;
  }


  private record Exec(int code, String output) {
    void assertSuccess(String what) {
      if (code != 0) {
        throw new AssertionError(what + " failed (" + code + "): " + output);
      }
    }
  }

  private static Exec exec(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Exec(p.waitFor(), output);
  }
}
