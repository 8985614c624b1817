package dev.jbuild.samples.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.samples.Docker;
import dev.jbuild.samples.oracle.BuildModes.Mode;
import dev.jbuild.samples.oracle.BuildModes.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cross-mode oracle of issue 12 ("Done when"): the oracle cases that use RUN, plus the ones
 * listed in {@link #ALSO}, are built by jbuild in mode A (root on the host), mode B (rootless, a
 * throwaway user with subuid ranges), mode C (in-place, root in a default {@code docker run}
 * of the executor image) and mode D (rootless, the executor image's user 1000 in {@code docker
 * run --security-opt seccomp=unconfined}), all with {@code SOURCE_DATE_EPOCH}, and each case's
 * image ID must be the same in the four modes. A mismatch names the case and the mode and lists
 * the exact difference (config path, or layer, entry and attribute: {@link ImageDiff}).
 *
 * <p>Nothing is skipped silently: the cases a mode refuses by design are listed in {@link
 * #REFUSED} with the reason, and must fail there with one error line and the evidence of that
 * reason (and build, identically, in the other modes); {@code expect=failure} cases must fail in
 * every mode with one error line and no stack trace; {@link #KNOWN_DIFFERENCES} pins what still
 * differs, exactly. A listed case that starts to build, or to match, fails the test, so that the
 * lists stay honest.
 *
 * <p>Modes A and B build on the host and modes C and D in their containers (one {@code docker
 * run} each for all cases), two modes at a time. A table case × mode goes to {@code
 * target/modes-report/table.txt}. Run a few cases: {@code -Doracle.cases=run-whiteouts,user}.
 *
 * <p>The class runs beside the other test classes (the samples' pom enables JUnit's parallel
 * execution for the classes marked {@code CONCURRENT}, for CI time); its test methods run one
 * by one.
 */
@Tag("root")
@Tag("oracle")
@Execution(ExecutionMode.CONCURRENT)
class ModesOracleTest {
  /** Cases without RUN that still exercise what a mode could get wrong. */
  static final Set<String> ALSO = Set.of("copy-hardlinks");
  /**
   * Cases with RUN left out to keep the test under five minutes: their RUN writes one small
   * file (or is {@code true}) and what they test is the image config, which no mode changes.
   */
  static final Set<String> LEFT_OUT = Set.of("cmd-inherit", "cmd-reset", "from-platform",
      "escape-directive", "stage-names", "onbuild-config");

  /**
   * What a mode cannot build by design: the case fails there (one error line, no stack trace,
   * {@code evidence} in what jbuild printed), builds in the other modes, and is compared there.
   */
  record Refusal(Mode mode, String why, String evidence) {}

  private static final String MKNOD_IN_USERNS = "mknod of a character or block device is not"
      + " permitted in a user namespace (the kernel's rule; podman and buildah rootless alike)";

  private static final String MOUNTS_IN_PLACE = "RUN --mount (cache, tmpfs, bind) needs a mount,"
      + " which a default container cannot make (ARCHITECTURE.md, In-place mode)";

  static final Map<String, List<Refusal>> REFUSED = Map.of(
      "run-mounts", List.of(new Refusal(Mode.C, MOUNTS_IN_PLACE, "in-place")),
      "run-cache-from", List.of(new Refusal(Mode.C, MOUNTS_IN_PLACE, "in-place")),
      "run-secret", List.of(new Refusal(Mode.C, "RUN --mount=type=secret needs a mount at"
          + " /run/secrets, which a default container cannot make", "in-place")),
      // The error line names the step and its exit code but not the mode: the reason is only in
      // the step's own output (see the report of issue 12's oracle).
      "run-file-types", List.of(new Refusal(Mode.B, MKNOD_IN_USERNS, "Operation not permitted"),
          new Refusal(Mode.D, MKNOD_IN_USERNS, "Operation not permitted")));

  /**
   * Cases derived from another by editing its Dockerfile, so that what a mode refuses does not
   * hide the rest of the case from the comparison: name → (case, text removed).
   */
  static final Map<String, List<String>> VARIANTS = Map.of(
      "run-file-types-nodevices",
      List.of("run-file-types", " && mknod chr c 1 3 && mknod blk b 7 0"));

  /**
   * Cases whose image differs in one mode today, and why. Each line of the difference ({@link
   * ImageDiff}) must match {@code lines}, so any other difference fails the case, and so does a
   * case that starts to match (then remove it here), unless {@code sometimes}: a difference that
   * depends on the kernel reusing an inode number may or may not show in one run. Patterns, not
   * pinned text, where the difference depends on inode reuse or directory order.
   */
  record Known(Mode mode, String why, Pattern lines, boolean sometimes) {
    Known(Mode mode, String why, Pattern lines) {
      this(mode, why, lines, false);
    }
  }

  /** run-file-types' second RUN: ln /t/hard1 /t/hard-later && chmod 0600 /t/hard2. */
  private static final String HARDLINK_COPY_UP = "chmod of a file hardlinked in a lower layer:"
      + " overlayfs (mode A, and BuildKit) copies up only that name, which breaks the link, so"
      + " hard2 becomes a separate 0600 file and hard1, sub/hard3 stay 0644; in place (mode C)"
      + " the link is real, so all four names become 0600 and the layer re-adds them as links";
  private static final Pattern HARDLINK_LINES = Pattern.compile(
      "config rootfs\\.diff_ids\\[2\\]: .*|layer 2 t/(hard1|hard2|hard-later|sub|sub/hard3): .*");
  private static final String DIFF_IDS = "config rootfs\\.diff_ids\\[\\d+\\]: .*";
  static final Map<String, Known> KNOWN_DIFFERENCES = Map.of(
      "copy-wildcard-nomatch", new Known(Mode.C, "RUN ls -A / sees what in-place mode keeps in"
          + " the root: Docker's /.dockerenv and the executor's /jbuild (as Kaniko's /kaniko)",
          Pattern.compile(DIFF_IDS + "|layer 3 listing: size A=48 C=66, .*"
          + Pattern.quote("preview A=\"bin\\ndev\\netc\\nlisting\\nmixed\\nproc\\nroot\\nsys"
          + "\\ntmp\\nvar\\n\" C=\".dockerenv\\nbin\\ndev\\netc\\njbuild\\nlisting\\nmixed\\nproc"
          + "\\nroot\\nsys\\ntmp\\nvar\\n\""))),
      "run-file-types", new Known(Mode.C, HARDLINK_COPY_UP, HARDLINK_LINES),
      "run-file-types-nodevices", new Known(Mode.C, HARDLINK_COPY_UP, HARDLINK_LINES));

  private static final Pattern STACK_FRAME = Pattern.compile("^\\s+at [\\w.$]+\\(",
      Pattern.MULTILINE);

  @TempDir static Path work;
  static BuildModes modes;
  static final Map<Mode, Map<String, Outcome>> RESULTS =
      java.util.Collections.synchronizedMap(new EnumMap<>(Mode.class));
  static final Map<Mode, Long> SECONDS = new EnumMap<>(Mode.class);

  @BeforeAll
  static void buildEveryCaseInEveryMode() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "ModesOracleTest adds a user and runs jbuild as root");
    assumeTrue(Docker.available(), "ModesOracleTest needs a Docker engine for mode C");
    long t0 = System.nanoTime();
    modes = BuildModes.prepare(work);
    List<OracleCase> cases = new ArrayList<>();
    for (String name : cases()) {
      cases.add(prepare(name, work.resolve("cases").resolve(name).resolve("ctx")));
    }
    // Progress on stderr: this class runs beside others, and ManifestListPushIntegrationTest
    // parses the System.out it captures while the CLI runs in its JVM.
    System.err.printf("modes oracle: %d cases prepared in %.1f s%n", cases.size(),
        (System.nanoTime() - t0) / 1e9);
    // Two modes at once (this is a 2-core machine), each in its own store: C and D each in one
    // container, A and B on the host. Longest first (D and C each take about as long as A and B
    // together), so that the two streams end at about the same time.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (Mode m : List.of(Mode.D, Mode.C, Mode.B, Mode.A)) {
        all.add(pool.submit(() -> {
          RESULTS.put(m, timed(m, () -> m == Mode.C || m == Mode.D
              ? modes.buildInContainer(m, cases) : buildOnHost(m, cases)));
          return null;
        }));
      }
      for (Future<?> f : all) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    writeReport();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (modes != null) {
      modes.close();
    }
  }

  private interface Build {
    Map<String, Outcome> run() throws Exception;
  }

  private static Map<String, Outcome> buildOnHost(Mode m, List<OracleCase> cases)
      throws Exception {
    Map<String, Outcome> r = new LinkedHashMap<>();
    for (OracleCase c : cases) {
      r.put(c.name(), modes.buildOnHost(m, c));
    }
    return r;
  }

  private static Map<String, Outcome> timed(Mode m, Build b) throws Exception {
    long t0 = System.nanoTime();
    Map<String, Outcome> r = b.run();
    long s = (System.nanoTime() - t0) / 1_000_000_000L;
    synchronized (SECONDS) {
      SECONDS.put(m, s);
    }
    System.err.printf("modes oracle: %s built %d cases in %d s%n", m.label, r.size(), s);
    return r;
  }

  /** Loads the case (or variant) and prepares its context in {@code ctx}. */
  static OracleCase prepare(String name, Path ctx) throws IOException {
    List<String> variant = VARIANTS.get(name);
    OracleCase c = load(name);
    c.prepareContext(ctx);
    if (variant != null) {
      Path dockerfile = ctx.resolve("Dockerfile");
      String text = Files.readString(dockerfile);
      if (!text.contains(variant.get(1))) {
        throw new AssertionError("variant " + name + ": " + variant.get(0) + "'s Dockerfile no "
            + "longer contains \"" + variant.get(1) + "\"; update VARIANTS");
      }
      Files.writeString(dockerfile, text.replace(variant.get(1), ""));
    }
    return c;
  }

  /** The case, or for a variant its case under the variant's name. */
  static OracleCase load(String name) throws IOException {
    List<String> variant = VARIANTS.get(name);
    OracleCase c = OracleCase.load(OracleCase.root().resolve(variant == null ? name
        : variant.get(0)));
    return variant == null ? c : new OracleCase(name, c.dir(), c.buildArgs(), c.target(),
        c.file(), c.args(), c.expectFailure());
  }

  /**
   * The cases whose Dockerfile has a RUN (or ONBUILD RUN), the {@code expect=failure} ones and
   * {@link #ALSO}; {@code -Doracle.cases=a,b} narrows them.
   */
  static List<String> cases() throws IOException {
    String only = System.getProperty("oracle.cases", "");
    List<String> out = new ArrayList<>();
    Pattern run = Pattern.compile("^\\s*(ONBUILD\\s+)?RUN\\b", Pattern.MULTILINE
        | Pattern.CASE_INSENSITIVE);
    for (String name : OracleCase.names()) {
      OracleCase c = OracleCase.load(OracleCase.root().resolve(name));
      Path dockerfile = c.dir().resolve(c.file() == null ? "Dockerfile" : c.file());
      boolean hasRun = Files.exists(dockerfile) && run.matcher(Files.readString(dockerfile))
          .find();
      if ((hasRun || c.expectFailure() || ALSO.contains(name)) && c.httpRoot() == null
          && !LEFT_OUT.contains(name)
          && (only.isBlank() || List.of(only.split(",")).contains(name))) {
        out.add(name);
      }
    }
    for (String name : VARIANTS.keySet()) {
      if (only.isBlank() || List.of(only.split(",")).contains(name)) {
        out.add(name);
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @Execution(ExecutionMode.SAME_THREAD)
  @MethodSource("cases")
  void sameImageInEveryMode(String name) throws Exception {
    assumeTrue(modes != null, "not prepared (see the class's assumptions)");
    OracleCase c = load(name);
    Map<Mode, Outcome> by = new EnumMap<>(Mode.class);
    for (Mode m : Mode.values()) {
      by.put(m, RESULTS.get(m).get(name));
    }
    if (c.expectFailure()) {
      for (Mode m : Mode.values()) {
        assertFailsInOneLine(name, m, by.get(m));
      }
      return;
    }
    List<Mode> building = new ArrayList<>(List.of(Mode.values()));
    for (Refusal refused : REFUSED.getOrDefault(name, List.of())) {
      Outcome o = by.get(refused.mode());
      assertNotEquals(0, o.exitCode(), name + " built in " + refused.mode().label + ", which "
          + "is listed as refused (" + refused.why() + "): remove it from REFUSED");
      assertFailsInOneLine(name, refused.mode(), o);
      assertTrue(o.stderr().contains(refused.evidence()), name + " in " + refused.mode().label
          + ": expected \"" + refused.evidence() + "\" (" + refused.why() + "):\n" + o.stderr());
      building.remove(refused.mode());
    }
    for (Mode m : building) {
      Outcome o = by.get(m);
      if (!o.built()) {
        fail(name + ": the build failed in " + m.label + " (exit " + o.exitCode() + "): "
            + String.join(" | ", o.errorLines().isEmpty() ? List.of(tail(o.stderr()))
                : o.errorLines()));
      }
      // Said at the first RUN that runs: not at all when every RUN was a cache hit.
      assertTrue(o.stderr().lines().filter(l -> l.startsWith("jbuild: in-place mode")).count()
          <= (m == Mode.C ? 1 : 0), name + ": the mode is announced once, in C only:\n"
          + o.stderr());
      if (m == Mode.D) {
        // Mode D's container masks /proc: the one line says that RUN steps share its processes.
        List<String> line = o.stderr().lines().filter(l -> l.startsWith("jbuild: rootless mode"))
            .toList();
        assertTrue(line.size() <= 1 && line.stream().allMatch(l -> l.contains("no PID namespace")),
            name + ": mode D is announced at most once, with its shared processes:\n"
            + o.stderr());
      }
    }
    Known known = KNOWN_DIFFERENCES.get(name);
    List<String> mismatches = new ArrayList<>();
    String reference = by.get(Mode.A).imageId();
    for (Mode m : building) {
      if (m == Mode.A) {
        continue;
      }
      boolean same = reference.equals(by.get(m).imageId());
      if (known != null && known.mode() == m) {
        if (same && known.sometimes()) {
          continue;
        }
        if (same) {
          fail(name + " now builds the same image in " + m.label + ": remove it from "
              + "KNOWN_DIFFERENCES (" + known.why() + ")");
        }
        List<String> diff = diff(name, m);
        List<String> other = diff.stream().filter(l -> !known.lines().matcher(l).matches())
            .toList();
        assertTrue(!diff.isEmpty() && other.isEmpty(), name + " in " + m.label + " differs from"
            + " mode A otherwise than known (" + known.why() + "):\n    "
            + String.join("\n    ", other.isEmpty() ? diff : other));
      } else if (!same) {
        mismatches.add(name + ": " + m.label + " built " + by.get(m).imageId() + ", "
            + Mode.A.label + " built " + reference + ":\n    "
            + String.join("\n    ", diff(name, m)));
      }
    }
    if (!mismatches.isEmpty()) {
      fail(String.join("\n", mismatches));
    }
  }

  /** The exact difference of mode m's image from mode A's, also kept in target/modes-report/. */
  private static List<String> diff(String name, Mode m) throws Exception {
    List<String> diff = ImageDiff.describe("A", modes.save(Mode.A, name), m.name(),
        modes.save(m, name));
    Path file = Path.of("target", "modes-report", name + "-" + m + ".txt");
    Files.createDirectories(file.getParent());
    Files.write(file, diff, StandardCharsets.UTF_8);
    return diff;
  }

  /** Asserts that {@code o} failed with exactly one error line and no stack trace; returns it. */
  private static String assertFailsInOneLine(String name, Mode m, Outcome o) {
    assertNotEquals(0, o.exitCode(), name + ": expected a failure in " + m.label
        + " but it built " + o.imageId());
    List<String> errors = o.errorLines();
    assertEquals(1, errors.size(), name + " in " + m.label + ": expected one error line:\n"
        + o.stderr());
    assertTrue(!STACK_FRAME.matcher(o.stderr()).find() && !o.stderr().contains("Exception in"),
        name + " in " + m.label + " printed a stack trace:\n" + o.stderr());
    return errors.get(0);
  }

  private static String tail(String s) {
    return s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000);
  }

  /** {@code target/modes-report/table.txt}: case × mode → image ID prefix or the error line. */
  private static void writeReport() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(String.format("%-24s %-22s %-22s %-22s %-22s", "case", "A", "B", "C", "D"));
    for (String name : RESULTS.get(Mode.A).keySet()) {
      StringBuilder row = new StringBuilder(String.format("%-24s", name));
      for (Mode m : Mode.values()) {
        Outcome o = RESULTS.get(m).get(name);
        String cell = o.built() ? o.imageId().substring(0, Math.min(19, o.imageId().length()))
            : "failed: " + (o.errorLines().isEmpty() ? "exit " + o.exitCode()
                : o.errorLines().get(0));
        row.append(' ').append(String.format("%-22s", cell));
      }
      lines.add(row.toString());
    }
    lines.add("seconds: " + SECONDS);
    Path report = Path.of("target", "modes-report", "table.txt");
    Files.createDirectories(report.getParent());
    Files.write(report, lines, StandardCharsets.UTF_8);
  }
}
