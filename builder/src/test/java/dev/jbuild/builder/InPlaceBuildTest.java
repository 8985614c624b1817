package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.runner.CommandRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The no-mount isolation path of the builder ({@code exec.StageExecutor}'s live root): RUN steps
 * run in one materialized root and are diffed by walking. With {@code SOURCE_DATE_EPOCH} the
 * image must be the one the overlay path builds, layer for layer. No root needed: both runners
 * are the fake shell.
 */
class InPlaceBuildTest {
  private static final Instant CLOCK = Instant.parse("2024-01-02T03:04:05Z");
  /** Before every file this test makes, so every mtime is clamped to it. */
  private static final long EPOCH = 1_000_000_000L;

  @TempDir Path tmp;
  private LayerStore store;
  private Path liveRoot;

  @BeforeEach
  void baseImage() throws IOException {
    store = LayerStore.open(tmp.resolve("store"));
    Path rootfs = BuildFixture.rootfs(tmp);
    Files.writeString(rootfs.resolve("etc/motd"), "hello\n");
    Files.createDirectories(rootfs.resolve("app/old"));
    Files.writeString(rootfs.resolve("app/old/f"), "old\n");
    Files.createDirectories(rootfs.resolve("other"));
    BuildFixture.tagBase(store, rootfs);
    BuildFixture.tag(store, rootfs.resolve("other"), "other:1", "empty rootfs");
    liveRoot = Files.createDirectories(tmp.resolve("live"));
    Files.createDirectories(liveRoot.resolve("proc"));
    Files.writeString(liveRoot.resolve("proc/host-file"), "host");
  }

  @Test
  void inPlaceBuild_givesTheImageTheOverlayPathGives() throws Exception {
    String dockerfile = """
        FROM base:1 AS first
        WORKDIR /app
        RUN echo one > one.txt && mkdir -p d/e && rm -rf /app/old
        RUN rm /etc/os-release && echo more >> /etc/motd
        RUN true
        FROM other:1
        RUN echo second-stage > /s
        COPY --from=first /app/one.txt /copied
        RUN echo after-copy >> /copied
        """;
    Image overlay = build(dockerfile, new FakeCommandRunner(), "overlay").image();
    FakeInPlaceRunner inPlace = new FakeInPlaceRunner(liveRoot, List.of("proc"));
    Image live = build(dockerfile, inPlace, "inplace").image();

    assertEquals(overlay.layers().stream().map(Layer::diffId).toList(),
        live.layers().stream().map(Layer::diffId).toList());
    assertEquals(overlay.id(), live.id());
    assertEquals(5, inPlace.specs().size());
    assertTrue(inPlace.specs().stream().allMatch(s -> liveRoot.equals(s.inPlaceRoot())));
    // The root holds the last stage's tree; the host's part was never touched.
    assertEquals("second-stage\n", Files.readString(liveRoot.resolve("s")));
    assertEquals("one\nafter-copy\n", Files.readString(liveRoot.resolve("copied")));
    assertFalse(Files.exists(liveRoot.resolve("etc")), "the first stage's files were wiped");
    assertEquals("host", Files.readString(liveRoot.resolve("proc/host-file")));
  }

  @Test
  void mountsAreRefusedInPlace_withTheReason() {
    FakeInPlaceRunner inPlace = new FakeInPlaceRunner(liveRoot, List.of("proc"));
    BuildException e = assertThrows(BuildException.class, () -> build(
        "FROM base:1\nRUN --mount=type=tmpfs,target=/t true\n", inPlace, "mount"));
    assertTrue(e.getMessage().startsWith("Dockerfile:2: [2/2] RUN --mount=type=tmpfs,target=/t"
        + " true: RUN --mount and here-document scripts need mounts, which in-place isolation"
        + " cannot make"), e.getMessage());
  }

  @Test
  void aFailedStepLeavesNoTraceInTheNextBuild() throws Exception {
    FakeInPlaceRunner inPlace = new FakeInPlaceRunner(liveRoot, List.of("proc"));
    assertThrows(BuildException.class,
        () -> build("FROM base:1\nRUN echo junk > /junk && exit 1\n", inPlace, "fail"));
    Image image = build("FROM base:1\nRUN echo ok > /ok\n", inPlace, "ok").image();
    Image expected = build("FROM base:1\nRUN echo ok > /ok\n", new FakeCommandRunner(),
        "ok-overlay").image();
    assertEquals(expected.id(), image.id());
    assertFalse(Files.exists(liveRoot.resolve("junk")));
  }

  @Test
  void aRunWritingIntoAVolume_isWarnedOnceNamingTheVolume_andTheImageIsUnchanged()
      throws Exception {
    Files.createDirectories(liveRoot.resolve("out"));
    Files.createDirectories(liveRoot.resolve("cache"));
    Files.createDirectories(liveRoot.resolve("ctx"));
    FakeInPlaceRunner inPlace = new FakeInPlaceRunner(liveRoot, List.of("proc", "out", "cache",
        "ctx"), List.of("out", "cache", "ctx"));
    String dockerfile = """
        FROM base:1
        RUN echo report > /out/report.txt && echo kept > /kept
        RUN echo a > /out/a && echo b > /cache/b
        RUN echo only-image > /image.txt
        """;
    List<String> infos = new java.util.concurrent.CopyOnWriteArrayList<>();
    BuildListener listener = new BuildListener() {
      @Override
      public void info(String message) {
        infos.add(message);
      }
    };
    Image live = build(dockerfile, inPlace, "volume", listener).image();
    List<String> warnings = infos.stream().filter(m -> m.startsWith("WARN")).toList();
    assertEquals(List.of(
        "WARN: [2/4] RUN echo report > /out/report.txt && echo kept > /kept: RUN wrote to /out,"
            + " which is a volume of the executor container; those changes are not part of the"
            + " image",
        "WARN: [3/4] RUN echo a > /out/a && echo b > /cache/b: RUN wrote to /out and /cache,"
            + " which are volumes of the executor container; those changes are not part of the"
            + " image"), warnings);
    assertEquals("report\n", Files.readString(liveRoot.resolve("out/report.txt")));
    // What went to the volumes is in no layer: the image is the one without those writes.
    Image expected = build("""
        FROM base:1
        RUN echo report > /out/report.txt && echo kept > /kept
        RUN echo a > /out/a && echo b > /cache/b
        RUN echo only-image > /image.txt
        """.replace("echo report > /out/report.txt && ", "").replace("echo a > /out/a && ", "")
        .replace("echo b > /cache/b", "true"), inPlace, "expected", BuildListener.NONE).image();
    assertEquals(expected.layers().stream().map(Layer::diffId).toList(),
        live.layers().stream().map(Layer::diffId).toList());
  }

  private BuildResult build(String dockerfile, CommandRunner runner, String name)
      throws Exception {
    return build(dockerfile, runner, name, BuildListener.NONE);
  }

  private BuildResult build(String dockerfile, CommandRunner runner, String name,
      BuildListener listener) throws Exception {
    Path context = Files.createDirectories(tmp.resolve("context-" + name));
    Files.writeString(context.resolve("Dockerfile"), dockerfile, StandardCharsets.UTF_8);
    BuildRequest request = BuildRequest.builder(context)
        .dockerfile(context.resolve("Dockerfile"))
        .noCache(true)
        .sourceDateEpoch(EPOCH)
        .build();
    return new ImageBuilder(store, runner, StoredBases.of(store), () -> CLOCK)
        .build(request, listener);
  }
}
