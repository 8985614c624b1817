package dev.jbuild.samples.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The BuildKit oracle: every case under {@code src/test/resources/oracle/} is built by BuildKit
 * ({@code DOCKER_BUILDKIT=1 /usr/bin/docker build --no-cache}) and by jbuild (real CLI, then
 * {@code jbuild save} + {@code docker load}), from the same copied context and the same base
 * rootfs tar. Then, layer by layer, the flattened {@code docker export} and the image config and
 * history are compared ({@link Comparison} lists what is excluded and why). Each difference is
 * one line in the failure message and in {@code target/oracle-report/<case>.txt}.
 *
 * <p>Cases in {@link #KNOWN_GAPS} differ from this machine's BuildKit (0.8) because jbuild follows
 * the current BuildKit: their differences are pinned exactly in {@code
 * src/test/resources/oracle-expected/<case>.txt}, so any other difference fails the case, and the
 * test fails when such a case starts to match, so that the list stays honest.
 *
 * <p>Run one or a few cases: {@code flock /tmp/jbuild-mvn.lock mvn -B -o -pl samples test
 * -Dtest=OracleTest -Doracle.cases=copy-basic,workdir} ({@code -Doracle.parallel=N} sets how many
 * cases build at once, default 4). Each case's work directory (context, saved archives, exports)
 * lives under the JUnit temp dir; images stay tagged {@code jbuild-oracle/<case>:buildkit|jbuild}
 * in dockerd for inspection.
 *
 * <p>Not oracle-testable on this machine, because Debian's docker 20.10 embeds BuildKit 0.8 with
 * Dockerfile frontend ~1.2 and a {@code # syntax=} frontend image cannot be pulled offline:
 * heredocs; {@code COPY --link/--parents/--exclude}; {@code ADD --checksum}; ADD git sources;
 * {@code RUN --network}; {@code HEALTHCHECK --start-interval}; the modifiers {@code ${v-w}},
 * {@code ${v+w}}, {@code ${v?w}}, {@code ${v#p}}, {@code ${v%p}}, {@code ${v/p/r}} (this frontend
 * says "missing ':' in substitution"); symbolic {@code --chmod} and ARG expansion in
 * {@code --chmod} (this frontend silently keeps the source mode, newer ones apply them).
 * Extended attributes: dockerd's BuildKit drops every xattr ({@code user.*} and
 * {@code security.capability}) of context files and of ADDed tars, so the {@code xattrs} case
 * only shows that jbuild drops them the same way; RUN-made xattrs need tools busybox lacks.
 *
 * <p>The class runs beside the other test classes (the samples' pom enables JUnit's parallel
 * execution for the classes marked {@code CONCURRENT}, for CI time); its test methods run one
 * by one.
 */
@Tag("root")
@Tag("oracle")
@Execution(ExecutionMode.CONCURRENT)
class OracleTest {
  /** Why add-basic, copy-chmod and copy-chmod-special differ (see {@link #KNOWN_GAPS}). */
  private static final String CHMOD_PARENTS = "BuildKit 0.8 vs current BuildKit testCopyChmod:"
      + " directories that COPY/ADD --chmod creates get the chmod's mode, not 0755";

  /**
   * Case → why it differs today (see the class comment); target/oracle-report/&lt;case&gt;.txt
   * has each difference.
   */
  static final Map<String, String> KNOWN_GAPS = Map.ofEntries(
      // The oracle here is Docker 20.10's built-in BuildKit (v0.8, frontend ~1.2). These cases
      // differ because jbuild follows the current BuildKit, not because it lacks a feature.
      Map.entry("healthcheck", "modern BuildKit records HEALTHCHECK with StartInterval (five"
          + " durations); BuildKit 0.8 predates it (four)"),
      Map.entry("healthcheck-exec", "modern BuildKit records HEALTHCHECK with StartInterval"
          + " (five durations); BuildKit 0.8 predates it (four)"),
      Map.entry("run-mounts", "modern BuildKit removes the mount-point stubs it created"
          + " (executor MountStubsCleaner); BuildKit 0.8 leaves them in the layer"),
      Map.entry("run-cache-from", "modern BuildKit removes the mount-point stubs it created"
          + " (executor MountStubsCleaner); BuildKit 0.8 leaves them in the layer"),
      Map.entry("run-secret", "modern BuildKit removes the /run/secrets stub directory;"
          + " BuildKit 0.8 leaves it in the layer"),
      // containerd's fix for CVE-2023-25173 puts the primary gid among the supplementary groups
      // (BuildKit's testUserAdditionalGids); BuildKit 0.8 predates it, so `id` shows fewer groups.
      Map.entry("run-exec-form", "modern BuildKit lists the primary gid among the supplementary"
          + " groups (CVE-2023-25173); BuildKit 0.8 does not"),
      Map.entry("user", "modern BuildKit lists the primary gid among the supplementary groups"
          + " (CVE-2023-25173); BuildKit 0.8 does not"),
      // Current BuildKit hands the octal --chmod to fsutil's MkdirAll, so the directories a
      // COPY/ADD creates get that mode (without setuid/setgid/sticky); BuildKit 0.8 made them 0755.
      Map.entry("add-basic", CHMOD_PARENTS),
      Map.entry("copy-chmod", CHMOD_PARENTS),
      Map.entry("copy-chmod-special", CHMOD_PARENTS),
      // Current BuildKit's runCommandString lists a re-declared ARG once in RUN's history, at
      // its first declaration; BuildKit 0.8 listed it at each declaration.
      Map.entry("arg-scope", "BuildKit 0.8 vs current BuildKit testExportedHistoryFlattenArgs:"
          + " a re-declared ARG is listed once in RUN's history"));

  static final String BASE = "localbase/busybox:1";

  @TempDir static Path work;
  static Path store;
  static String skipReason;
  /** Each case's comparison, started for all cases at once (see {@link #bases}). */
  static final Map<String, Future<List<String>>> RESULTS = new ConcurrentHashMap<>();
  static ExecutorService pool;

  @BeforeAll
  static void bases() throws Exception {
    skipReason = Engines.dockerUnavailableReason();
    if (skipReason != null) {
      return;
    }
    Path rootfs = work.resolve("busybox-rootfs.tar");
    Path script = OracleCase.root().resolve("../../../../base/busybox-rootfs.sh").normalize();
    Engines.exec(List.of(script.toString(), rootfs.toString()), Map.of(), 120).assertSuccess();
    // The docker-side base is named after the tar's digest, so a localbase/busybox:1 imported
    // elsewhere from another busybox (or another version of the script) is never compared.
    String pinned = "jbuild-oracle/busybox:" + sha256(rootfs).substring(0, 16);
    if (Engines.docker("image", "inspect", pinned).exitCode() != 0) {
      Engines.docker("import", rootfs.toString(), pinned).assertSuccess();
    }
    Engines.docker("tag", pinned, BASE).assertSuccess();
    store = work.resolve("store");
    Engines.jbuild(store, "import", rootfs.toString(), BASE).assertSuccess();
    // Cases are independent (own context, own tags), so they run a few at a time; the tests
    // then only collect results. -Doracle.parallel=1 runs them one by one.
    pool = Executors.newFixedThreadPool(Integer.getInteger("oracle.parallel", 4));
    for (String name : cases()) {
      RESULTS.put(name, pool.submit(() ->
          compare(OracleCase.load(OracleCase.root().resolve(name)), work.resolve(name))));
    }
    pool.shutdown();
  }

  @AfterAll
  static void stopPool() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  private static String sha256(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return java.util.HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** All cases, or those named in {@code -Doracle.cases=a,b} (for quick reruns). */
  static List<String> cases() throws IOException {
    String only = System.getProperty("oracle.cases", "");
    List<String> all = OracleCase.names();
    if (only.isBlank()) {
      return all;
    }
    List<String> wanted = List.of(only.split(","));
    return all.stream().filter(wanted::contains).toList();
  }

  @ParameterizedTest(name = "{0}")
  @Execution(ExecutionMode.SAME_THREAD)
  @MethodSource("cases")
  void sameAsBuildKit(String name) throws Exception {
    Assumptions.assumeTrue(skipReason == null, () -> "oracle skipped: " + skipReason);
    List<String> differences;
    try {
      differences = RESULTS.get(name).get(10, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
    Path report = Path.of("target", "oracle-report", name + ".txt");
    Files.createDirectories(report.getParent());
    Files.write(report, differences, StandardCharsets.UTF_8);
    String gap = KNOWN_GAPS.get(name);
    String text = name + ": " + differences.size() + " difference(s)\n  "
        + String.join("\n  ", differences);
    if (gap != null) {
      if (differences.isEmpty()) {
        fail(name + " now matches BuildKit: remove it from OracleTest.KNOWN_GAPS (" + gap + ")");
      }
      // A known difference is pinned exactly: any other difference, or a change in this one,
      // fails the case. Nothing is skipped.
      Path expectedFile = OracleCase.root().resolveSibling("oracle-expected").resolve(name + ".txt");
      List<String> expected = Files.exists(expectedFile)
          ? Files.readAllLines(expectedFile, StandardCharsets.UTF_8) : List.of();
      assertEquals(String.join("\n", expected), String.join("\n", differences),
          name + " (known difference: " + gap + ")");
      return;
    }
    if (!differences.isEmpty()) {
      fail(text);
    }
  }

  /** Builds the case with both engines and returns the differences (empty when equal). */
  static List<String> compare(OracleCase c, Path dir) throws Exception {
    Path ctx = dir.resolve("ctx");
    c.prepareContext(ctx);
    String bkTag = "jbuild-oracle/" + c.name() + ":buildkit";
    String jbTag = "jbuild-oracle/" + c.name() + ":jbuild";

    List<String> bkArgs = new ArrayList<>(List.of("build", "--no-cache", "-t", bkTag));
    List<String> jbArgs = new ArrayList<>(List.of("build", "--progress=plain", "-t", jbTag));
    for (String a : c.buildArgs()) {
      bkArgs.addAll(List.of("--build-arg", a));
      jbArgs.addAll(List.of("--build-arg", a));
    }
    if (c.target() != null) {
      bkArgs.addAll(List.of("--target", c.target()));
      jbArgs.addAll(List.of("--target", c.target()));
    }
    for (String a : c.args()) {
      bkArgs.add(a.replace("{work}", dir.toString()));
      jbArgs.add(a.replace("{work}", dir.toString()));
    }
    if (c.file() != null) {
      bkArgs.addAll(List.of("-f", ctx.resolve(c.file()).toString()));
      jbArgs.addAll(List.of("-f", ctx.resolve(c.file()).toString()));
    }
    bkArgs.add(ctx.toString());
    jbArgs.add(ctx.toString());

    Engines.Result bk;
    Engines.Result jb;
    try (FileServer http = c.httpRoot() == null ? null : FileServer.start(c.httpRoot())) {
      if (http != null) {
        String base = "HTTP_BASE=http://127.0.0.1:" + http.port();
        bkArgs.addAll(bkArgs.size() - 1, List.of("--build-arg", base));
        jbArgs.addAll(jbArgs.size() - 1, List.of("--build-arg", base));
      }
      bk = Engines.docker(bkArgs.toArray(String[]::new));
      jb = Engines.jbuild(store, jbArgs.toArray(String[]::new));
    }
    if (c.expectFailure()) {
      List<String> out = new ArrayList<>();
      if (bk.exitCode() == 0) {
        fail("case expects a failure but BuildKit built it");
      }
      if (jb.exitCode() == 0) {
        out.add("jbuild built an image that BuildKit refuses: " + lastLine(bk.stderr()));
      }
      return out;
    }
    bk.assertSuccess();
    if (jb.exitCode() != 0) {
      return List.of("jbuild build failed (BuildKit succeeded): " + errorOf(jb.stderr()));
    }

    Path bkTar = dir.resolve("buildkit.tar");
    Path jbTar = dir.resolve("jbuild.tar");
    Engines.docker("save", "-o", bkTar.toString(), bkTag).assertSuccess();
    Engines.jbuild(store, "save", "-o", jbTar.toString(), jbTag).assertSuccess();
    List<String> out = new ArrayList<>();
    Engines.Result load = Engines.docker("load", "-i", jbTar.toString());
    if (load.exitCode() != 0) {
      out.add("docker load of jbuild's image failed: " + lastLine(load.stderr()));
    }
    SavedImage bkImage = SavedImage.read(bkTar);
    SavedImage jbImage = SavedImage.read(jbTar);
    out.addAll(Comparison.images(bkImage, jbImage));
    if (load.exitCode() == 0) {
      out.addAll(Comparison.trees("export", exportOf(bkTag, dir.resolve("buildkit-export.tar")),
          exportOf(jbTag, dir.resolve("jbuild-export.tar")),
          Comparison.EXPORT_IGNORED));
    }
    return out;
  }

  /** The flattened filesystem of a container created (not started) from the image. */
  private static Map<String, TarTree.Entry> exportOf(String tag, Path tar) throws IOException {
    // A command is given because images without CMD/ENTRYPOINT cannot be created otherwise.
    String id = Engines.docker("create", tag, "true").assertSuccess().stdout().strip();
    try {
      Engines.docker("export", "-o", tar.toString(), id).assertSuccess();
      try (var in = Files.newInputStream(tar)) {
        return TarTree.read(in);
      }
    } finally {
      Engines.docker("rm", "-v", id);
    }
  }

  /** The "error:" line, else the exception lines of a stack trace (first three). */
  private static String errorOf(String stderr) {
    List<String> picked = new ArrayList<>();
    for (String line : stderr.split("\n")) {
      if (line.startsWith("error:") || (!line.startsWith("\t") && line.contains("Exception"))
          || line.startsWith("Caused by")) {
        picked.add(line.strip());
      }
    }
    return picked.isEmpty() ? lastLine(stderr)
        : String.join(" | ", picked.subList(0, Math.min(3, picked.size())));
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1];
  }
}
