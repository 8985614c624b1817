package dev.jbuild.samples.buildkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.ImageBuilder;
import dev.jbuild.builder.StdinSources;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.exec.BuildOptions;
import dev.jbuild.builder.export.ImageExporter;
import dev.jbuild.builder.export.OutputSpec;
import dev.jbuild.builder.plan.NamedContext;
import dev.jbuild.builder.plan.NetworkPolicy;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.testing.LocalRegistry;
import dev.jbuild.runner.CommandRunner;
import dev.jbuild.runner.ContainerRunner;
import dev.jbuild.runner.Sandbox;
import dev.jbuild.samples.buildkit.SuiteCase.Line;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BuildKit's own Dockerfile integration tests (moby/buildkit {@code frontend/dockerfile/*_test.go})
 * ported as data: each directory under {@code src/test/resources/buildkit/<go-file-stem>/<case>/}
 * is one case (format in that tree's {@code README.md}), built in this JVM through {@link
 * ImageBuilder} into one store shared by the class, with the offline busybox image tagged {@code
 * busybox:latest} so that the Go tests' {@code FROM busybox} needs no network. The result is
 * exported as a rootfs ({@code -o type=local}, as most Go tests do) and checked line by line.
 * Expected results come from the Go tests' assertions, not from running jbuild.
 *
 * <p>{@code -Dbuildkit.case=REGEX} runs only the cases whose id ({@code stem/case}) matches.
 */
@Tag("root")
class BuildKitSuiteTest {
  private static final AtomicInteger SEQ = new AtomicInteger();
  /** Assertions on the build's progress, not on its result. */
  private static final List<String> PROGRESS_CHECKS = java.util.stream.Stream.concat(
      java.util.stream.Stream.of("step", "warns", "warnings"), SuiteStores.CHECKS.stream())
      .toList();
  /** The case's {@code cgroup-parent} cgroups, removed when it ends. */
  private CgroupParents cgroupParents;

  private static Path work;
  private static LayerStore store;
  private static CommandRunner runner;
  private static ImageBuilder builder;
  /** The image of this case's last build, for the image checks of a rebuild. */
  private Image lastImage;
  /** The registry of the cases that name {@code $REGISTRY}, started by the first of them. */
  private static LocalRegistry registry;

  @BeforeAll
  static void storeWithBusybox() throws Exception {
    work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "bk-suite-");
    store = SuiteStores.storeWithBusybox(work.resolve("store"));
    builder = SuiteStores.builder(store, BuildKitSuiteTest::runner);
  }

  /** The namespaces runner, made on the first RUN step: most cases run nothing. */
  private static synchronized CommandRunner runner() throws dev.jbuild.runner.RunnerException {
    if (runner == null) {
      runner = ContainerRunner.create(store.root().resolve("runner"));
    }
    return runner;
  }

  /** The class's docker-registry on 127.0.0.1, started on first use. */
  private static synchronized LocalRegistry registry() {
    if (registry == null) {
      try {
        registry = LocalRegistry.start(work.resolve("registry"));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return registry;
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      if (runner != null) {
        runner.close();
      }
      if (registry != null) {
        registry.close();
      }
    } finally {
      if (work != null) {
        Trees.deleteRecursively(work);
      }
    }
  }

  static Stream<String> cases() throws IOException {
    String only = System.getProperty("buildkit.case", "");
    return SuiteCases.ids().stream().filter(id -> only.isEmpty() || id.matches(only));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void buildKitCase(String id) throws Exception {
    SuiteCase c = SuiteCase.read(id, SuiteCases.root().resolve(id));
    Path dir = Files.createDirectories(work.resolve("case-" + SEQ.incrementAndGet()));
    try {
      run(c, dir);
    } finally {
      Trees.deleteRecursively(dir);
    }
  }

  private void run(SuiteCase c, Path dir) throws Exception {
    List<ImageReference> tagged = new ArrayList<>();
    SuiteStores stores = new SuiteStores(store, builder, BuildKitSuiteTest::runner,
        BuildKitSuiteTest::registry, Files.createDirectories(dir.resolve("scratch")));
    try (CgroupParents parents = new CgroupParents()) {
      cgroupParents = parents;
      Path tree = SuiteCases.context(c, dir.resolve("context"));
      Path previous = build(c, tree, c.setup(), c.checks(), dir.resolve("rootfs-0"), null, tagged,
          stores);
      int n = 0;
      for (SuiteCase.Phase phase : c.rebuilds()) {
        // A rebuild after the context changed, in the same store: what the cache keeps.
        SuiteCases.apply(c, phase.setup(), tree);
        previous = build(c, tree, phase.setup(), phase.checks(), dir.resolve("rootfs-" + ++n),
            previous, tagged, stores);
      }
    } finally {
      // The store is the class's: a case's names must not reach the next case.
      for (ImageReference ref : tagged) {
        store.images().untag(ref);
      }
    }
  }

  /**
   * Builds the context in {@code tree} with the phase's {@link SuiteCase#BUILD_INPUTS} lines,
   * checks {@code checks} and returns the exported rootfs ({@code previous} is the last build's,
   * for {@code same} and {@code differs}).
   */
  private Path build(SuiteCase c, Path tree, List<Line> setup, List<Line> checks, Path rootfs,
      Path previous, List<ImageReference> tagged, SuiteStores stores) throws Exception {
    Path context = c.contextDir() == null ? tree : tree.resolve(c.contextDir());
    Path dockerfile = c.dockerfile() == null ? null : tree.resolve(c.dockerfile());
    Line stdinTar = setup.stream().filter(l -> l.keyword().equals("stdin-tar")).findFirst()
        .orElse(null);
    if (stdinTar == null) {
      return build(c, tree, context, dockerfile, setup, checks, rootfs, previous, tagged, stores);
    }
    // `jbuild build [-f FILE] - < ARCHIVE`: the CLI's own stdin reader makes the context.
    StdinSources stdin;
    try (InputStream in = Files.newInputStream(tree.resolve(stdinTar.word(0)))) {
      stdin = StdinSources.read(Path.of("-"), dockerfile, stores.store(), in);
    }
    try (stdin) {
      return build(c, tree, stdin.context(), stdin.dockerfile(), setup, checks, rootfs, previous,
          tagged, stores);
    }
  }

  private Path build(SuiteCase c, Path tree, Path context, Path dockerfile, List<Line> setup,
      List<Line> checks, Path rootfs, Path previous, List<ImageReference> tagged,
      SuiteStores stores) throws Exception {
    // Build args of the case, then this build's own arg lines (testCacheMountModeNoCache).
    Map<String, String> args = new LinkedHashMap<>(c.buildArgs());
    for (Line l : setup) {
      if (l.keyword().equals("arg")) {
        int eq = l.word(0).indexOf('=');
        args.put(l.word(0).substring(0, eq), l.word(0).substring(eq + 1));
      }
    }
    BuildRequest.Builder request = BuildRequest.builder(context).dockerfile(dockerfile)
        .buildArgs(args).labels(c.labels()).target(c.target());
    buildInputs(request, setup, tree, tagged, stores);
    stores.before(setup, request);
    BuildOptions.Limits limits = cgroupParents.limits(setup);
    if (limits != null) {
      request.limits(limits);
    }
    for (Map.Entry<String, String> secret : c.secrets().entrySet()) {
      // Outside the context, as a user's --secret src= file would be.
      Path file = rootfs.resolveSibling(rootfs.getFileName() + "-secret-" + secret.getKey());
      Files.writeString(file, secret.getValue(), StandardCharsets.UTF_8);
      request.secret(secret.getKey(), new BuildOptions.Secret(file, null));
    }
    List<String> log = new ArrayList<>();
    List<String> steps = java.util.Collections.synchronizedList(new ArrayList<>());
    BuildListener listener = new BuildListener() {
      @Override
      public void stepStarted(String label) {
        steps.add(label);
      }

      @Override
      public void stepOutput(String label, String line) {
        log.add(label + ": " + line);
      }

      @Override
      public void info(String message) {
        log.add(message);
      }
    };
    List<Line> failLines = checks.stream().filter(l -> l.keyword().equals("fail")).toList();
    BuildResult result;
    try {
      result = stores.builder().build(request.build(), listener);
    } catch (BuildException e) {
      if (failLines.isEmpty()) {
        throw new AssertionError(c.source() + ": the build failed: " + e.getMessage()
            + "\n" + String.join("\n", log), e);
      }
      for (Line l : failLines) {
        String want = l.textAfter(0);
        assertTrue(e.getMessage().contains(want), c.source() + ": expect:" + l.number()
            + ": the error \"" + e.getMessage() + "\" lacks \"" + want + "\"");
      }
      // The Go tests also check the warnings of a build that fails (testWarningsBeforeError).
      assertEquals(List.of(), warningFailures(checks, log), c.source() + "\n"
          + String.join("\n", log));
      return null;
    }
    if (!failLines.isEmpty()) {
      fail(c.source() + ": expect:" + failLines.get(0).number() + ": the build succeeded but "
          + "should fail with \"" + failLines.get(0).textAfter(0) + "\"");
    }
    if (!c.rebuilds().isEmpty() || checks.stream().anyMatch(l -> !l.keyword().startsWith("config")
        && rootfsCheck(l))) {
      // Only cases that look at files pay for the export.
      new ImageExporter(stores.store()).export(result.image(), List.of(),
          new OutputSpec(OutputSpec.Type.LOCAL, rootfs.toString()));
    }
    List<String> failures = new ArrayList<>(new RootfsChecks(rootfs,
        result.image().configBytes(), previous).check(checks.stream()
            .filter(BuildKitSuiteTest::rootfsCheck).toList()));
    failures.addAll(new ImageChecks(stores.store(), result.image(), context, lastImage)
        .check(checks));
    failures.addAll(TarChecks.check(stores.store(), result, checks,
        rootfs.resolveSibling(rootfs.getFileName() + ".tar")));
    lastImage = result.image();
    for (Line l : checks) {
      if (l.keyword().equals("step") && !steps.contains(l.textAfter(0))) {
        failures.add("expect:" + l.number() + ": no step is labelled \"" + l.textAfter(0)
            + "\"; the steps were " + steps);
      }
    }
    failures.addAll(warningFailures(checks, log));
    failures.addAll(stores.check(checks, result.image()));
    stores.after(setup, result.image());
    assertEquals(List.of(), failures, c.source() + "\n" + String.join("\n", log));
    return rootfs;
  }

  /** Whether the line checks the exported rootfs or config (what {@link RootfsChecks} does). */
  private static boolean rootfsCheck(Line l) {
    return !PROGRESS_CHECKS.contains(l.keyword()) && !ImageChecks.KEYWORDS.contains(l.keyword())
        && !TarChecks.KEYWORDS.contains(l.keyword());
  }

  /** The {@code warns} and {@code warnings} lines that do not hold for the build's log. */
  private static List<String> warningFailures(List<Line> checks, List<String> log) {
    // The linter's warnings, as jbuild prints them: "WARN: Dockerfile:LINE: Rule: detail".
    List<String> warnings = log.stream().filter(m -> m.matches("WARN: [^ :]+:\\d+: .*"))
        .map(m -> m.substring("WARN: ".length())).toList();
    List<String> failures = new ArrayList<>();
    for (Line l : checks) {
      if (l.keyword().equals("warns") && !warnings.contains(l.textAfter(0))) {
        failures.add("expect:" + l.number() + ": no warning \"" + l.textAfter(0)
            + "\"; the warnings were " + warnings);
      } else if (l.keyword().equals("warnings")
          && warnings.size() != Integer.parseInt(l.word(0))) {
        failures.add("expect:" + l.number() + ": " + warnings.size() + " warnings, not "
            + l.word(0) + ": " + warnings);
      }
    }
    return failures;
  }

  /**
   * Applies the {@link SuiteCase#BUILD_INPUTS} lines of one build to its request; the tags it
   * sets are added to {@code tagged}, for the case to remove when it ends.
   */
  private static void buildInputs(BuildRequest.Builder request, List<Line> setup, Path tree,
      List<ImageReference> tagged, SuiteStores stores) {
    // What the Go tests push to their registry, for a later phase's FROM to name (as -t does).
    List<ImageReference> tags = setup.stream().filter(l -> l.keyword().equals("tag"))
        .map(l -> ImageReference.parse(l.word(0))).toList();
    request.tags(tags);
    tagged.addAll(tags);
    long shmSize = 0;
    List<Sandbox.Rlimit> ulimits = new ArrayList<>();
    for (Line l : setup) {
      if (l.keyword().equals("no-cache")) {
        // --no-cache, or --no-cache-filter with the stages named.
        if (l.words().isEmpty()) {
          request.noCache(true);
        } else {
          request.noCacheStages(java.util.Set.copyOf(l.words()));
        }
      } else if (l.keyword().equals("platform")) {
        request.platform(Platform.parse(l.word(0)));
      } else if (l.keyword().equals("shm-size")) {
        shmSize = Long.parseLong(l.word(0));
      } else if (l.keyword().equals("ulimit")) {
        ulimits.add(Sandbox.Rlimit.parse(l.word(0)));
      } else if (l.keyword().equals("network")) {
        // The CLI's --network; its "default" is a bridge when jbuild runs as root, as here.
        request.network(l.word(0).equals("default") ? NetworkPolicy.BRIDGE
            : NetworkPolicy.valueOf(l.word(0).toUpperCase(java.util.Locale.ROOT)));
      } else if (l.keyword().equals("build-context")) {
        String flag = l.word(0);
        int eq = flag.indexOf('=');
        String value = stores.substitute(flag.substring(eq + 1));
        // A directory is one of the laid-out tree, as the Go tests' fstest dirs.
        request.namedContext(flag.substring(0, eq), NamedContext.parse(value.contains("://")
            ? value : tree.resolve(value).toString()));
      }
    }
    if (shmSize != 0 || !ulimits.isEmpty()) {
      request.sandbox(new Sandbox(List.of(), shmSize, ulimits));
    }
  }
}
