package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.error.StepFailedException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.exec.BuildOptions;
import dev.jbuild.builder.plan.NetworkPolicy;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarStreams;
import dev.jbuild.runner.ContainerSpec;
import dev.jbuild.runner.Sandbox;
import dev.jbuild.runner.NetworkMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds Dockerfiles with RUN steps end to end through {@link ImageBuilder} into a real store,
 * with {@link FakeCommandRunner} in place of containers: no root needed. Checks what RUN hands
 * the runner (argv, env, user, workdir, network), the layers diffed from the upperdir, the
 * history, and that a second build is served from the cache without running anything.
 */
class ImageBuilderTest {
  private static final Instant CLOCK = Instant.parse("2024-01-02T03:04:05Z");

  @TempDir Path tmp;
  private LayerStore store;
  private Image base;
  private final FakeCommandRunner runner = new FakeCommandRunner();

  @BeforeEach
  void baseImage() throws IOException {
    store = LayerStore.open(tmp.resolve("store"));
    Path rootfs = BuildFixture.rootfs(tmp);
    Files.writeString(rootfs.resolve("etc/motd"), "hello\n");
    // WORKDIR of a missing directory makes it root-owned, which only root can; this one exists.
    Files.createDirectories(rootfs.resolve("app"));
    base = BuildFixture.tagBase(store, rootfs);
  }

  @Test
  void runSteps_becomeLayersWithBuildKitHistory() throws Exception {
    BuildResult result = build("""
        FROM base:1
        ENV GREETING=hello
        WORKDIR /app
        ARG V=1
        USER 1000:1000
        RUN echo $GREETING $V > out.txt && mkdir -p /app/d/e
        RUN rm /etc/os-release && echo more >> /etc/motd
        """);

    List<ContainerSpec> specs = runner.specs();
    assertEquals(2, specs.size());
    ContainerSpec first = specs.get(0);
    assertEquals(List.of("/bin/sh", "-c", "echo $GREETING $V > out.txt && mkdir -p /app/d/e"),
        first.args());
    assertTrue(first.env().contains("GREETING=hello"), first.env().toString());
    assertTrue(first.env().contains("V=1"), first.env().toString());
    assertEquals("1000:1000", first.user());
    assertEquals("/app", first.workingDir());
    assertEquals(NetworkMode.BRIDGE, first.network());

    Image image = result.image();
    List<Layer> layers = image.layers();
    List<Layer> added = layers.subList(base.layers().size(), layers.size());
    Map<String, String> run1 = read(added.get(added.size() - 2));
    assertEquals("hello 1\n", run1.get("app/out.txt"));
    assertTrue(run1.containsKey("app/d/e/"), run1.keySet().toString());
    Map<String, String> run2 = read(added.get(added.size() - 1));
    assertEquals(Map.of("etc/", "", "etc/.wh.os-release", "", "etc/motd", "hello\nmore\n"), run2);

    List<ImageConfig.History> history = image.config().history();
    List<String> createdBy = history.stream().map(ImageConfig.History::createdBy).toList();
    assertEquals(List.of(
        "RUN |1 V=1 /bin/sh -c echo $GREETING $V > out.txt && mkdir -p /app/d/e # buildkit",
        "RUN |1 V=1 /bin/sh -c rm /etc/os-release && echo more >> /etc/motd # buildkit"),
        createdBy.subList(createdBy.size() - 2, createdBy.size()));
    assertFalse(history.get(history.size() - 1).isEmptyLayer());
    assertEquals("1000:1000", image.config().containerConfig().user());
    assertEquals("/app", image.config().containerConfig().workingDir());
  }

  @Test
  void secondBuild_isServedFromTheCache_withoutRunning() throws Exception {
    String dockerfile = """
        FROM base:1
        RUN echo one > /one
        RUN echo two > /two
        """;
    Image first = build(dockerfile).image();
    assertEquals(2, runner.specs().size());

    List<String> cached = new ArrayList<>();
    Image second = build(dockerfile, new BuildListener() {
      @Override
      public void stepFinished(String label, long millis, boolean wasCached) {
        if (wasCached) {
          cached.add(label);
        }
      }
    }).image();

    assertEquals(2, runner.specs().size(), "nothing ran again");
    assertEquals(first.id(), second.id());
    assertEquals(List.of("[2/3] RUN echo one > /one", "[3/3] RUN echo two > /two"),
        cached.stream().sorted().toList());
  }

  @Test
  void failingRun_failsTheBuildWithTheExitCode() throws Exception {
    StepFailedException e = assertThrows(StepFailedException.class,
        () -> build("FROM base:1\nRUN echo ok > /ok && exit 3\n"));
    assertEquals(3, e.exitCode());
    assertTrue(e.getMessage().startsWith("Dockerfile:2: [2/2] RUN echo ok > /ok && exit 3: "
        + "process \"/bin/sh -c echo ok > /ok && exit 3\" did not complete successfully: "),
        e.getMessage());
  }

  @Test
  void execFormAndNetworkFlag_reachTheSpecAsGiven() throws Exception {
    build("FROM base:1\nRUN --network=none [\"mkdir\", \"-p\", \"/x/y\"]\n");
    ContainerSpec spec = runner.specs().get(0);
    assertEquals(List.of("mkdir", "-p", "/x/y"), spec.args());
    assertEquals(NetworkMode.NONE, spec.network());
    assertEquals("/", spec.workingDir());
    assertEquals("", spec.user());
  }

  @Test
  void labelFlagsWinOverDockerfileLabels_andSandboxReachesEveryRun() throws Exception {
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("Dockerfile"),
        "FROM base:1\nLABEL a=dockerfile b=dockerfile\nRUN true\n", StandardCharsets.UTF_8);
    Sandbox sandbox = new Sandbox(List.of(new Sandbox.Host("db", "10.0.0.7")), 1 << 20,
        List.of(Sandbox.Rlimit.parse("nofile=100:200")));
    BuildRequest request = BuildRequest.builder(context).network(NetworkPolicy.BRIDGE)
        .labels(Map.of("b", "flag", "c", "")).sandbox(sandbox).build();
    Image image = new ImageBuilder(store, runner, StoredBases.of(store), () -> CLOCK)
        .build(request, BuildListener.NONE).image();
    // BuildKit: --label values are set on the target's config after its LABELs, no history.
    assertEquals(Map.of("a", "dockerfile", "b", "flag", "c", ""),
        image.config().containerConfig().labels());
    assertTrue(image.config().history().stream()
        .noneMatch(h -> h.createdBy() != null && h.createdBy().contains("flag")));
    assertEquals(sandbox, runner.specs().get(0).sandbox());
  }

  private BuildResult build(String dockerfile) throws Exception {
    return build(dockerfile, BuildListener.NONE);
  }

  private BuildResult build(String dockerfile, BuildListener listener) throws Exception {
    Path context = BuildFixture.context(tmp, dockerfile);
    BuildRequest request = BuildRequest.builder(context)
        .dockerfile(context.resolve("Dockerfile"))
        .network(NetworkPolicy.BRIDGE)
        .build();
    return new ImageBuilder(store, runner, StoredBases.of(store), () -> CLOCK).build(request, listener);
  }

  /**
   * A layer's entries: name → content for files ("" for everything else, directories with a
   * trailing slash).
   */
  private Map<String, String> read(Layer layer) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    try (InputStream blob = store.content().open(layer.blob());
        TarReader tar = new TarReader(TarStreams.decompress(blob))) {
      for (TarEntry e = tar.next(); e != null; e = tar.next()) {
        String name = e.isDirectory() && !e.name().endsWith("/") ? e.name() + "/" : e.name();
        entries.put(name, e.type() == TarEntry.Type.FILE
            ? new String(tar.content().readAllBytes(), StandardCharsets.UTF_8) : "");
      }
    }
    return entries;
  }
}
