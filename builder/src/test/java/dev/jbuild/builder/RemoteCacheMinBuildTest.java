package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.cache.CacheConfig;
import dev.jbuild.builder.cache.CacheSpec;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.plan.NetworkPolicy;
import dev.jbuild.builder.remotecache.RemoteCacheStore;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.RegistryOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --cache-to mode=min} carries the steps that lead to the final image's layers without
 * their layers, as BuildKit's does, so that a fresh store skips a stage the final image only
 * copies from (the Dockerfile of BuildKit's {@code testCacheImportExport},
 * frontend/dockerfile/dockerfile_test.go), and still runs it when a step needs its files. With
 * {@link FakeCommandRunner}: no root needed.
 */
class RemoteCacheMinBuildTest {
  /**
   * BuildKit's testCacheImportExport, with the fake runner's shell for the random RUN and the
   * base stage's files under /src: otherwise its layers are byte for byte the final COPYs' (same
   * file, name and mtime), and min rightly carries them as the final image's.
   */
  private static final String DOCKERFILE = """
      FROM base:1 AS base
      COPY foo /src/const
      RUN echo unique > /src/unique
      FROM scratch
      COPY --from=base /src/const /
      COPY --from=base /src/unique /
      """;

  @TempDir Path tmp;
  private Path context;

  @BeforeEach
  void context() throws IOException {
    context = BuildFixture.context(tmp, DOCKERFILE, "foo", "foobar\n");
    BuildFixture.rootfs(tmp);
  }

  private record Machine(LayerStore store, FakeCommandRunner runner) {
    Image build(BuildRequest.Builder request, List<String> messages) throws Exception {
      BuildListener listener = BuildFixture.infos(messages);
      return new ImageBuilder(store, () -> runner, StoredBases.of(store), Instant::now,
          new RemoteCacheStore(store, RegistryOptions.defaults())).build(request.build(),
          listener).image();
    }

    List<String> ran() {
      return runner.specs().stream().map(s -> s.args().get(2)).toList();
    }
  }

  /** A fresh store with the base image, as a new CI runner would have. */
  private Machine machine(String name) throws IOException {
    return new Machine(BuildFixture.storeWithBase(tmp.resolve(name), tmp.resolve("rootfs")),
        new FakeCommandRunner());
  }

  private BuildRequest.Builder request() {
    return BuildRequest.builder(context).network(NetworkPolicy.BRIDGE)
        .platform(Platform.parse("linux/amd64"));
  }

  private static CacheSpec min(Path dir) {
    return CacheSpec.local(dir, CacheSpec.Mode.MIN);
  }

  @Test
  void minExport_listsTheBaseStageWithoutItsLayers_andAFreshStoreRunsNothing()
      throws Exception {
    Path cache = tmp.resolve("cache");
    Machine a = machine("a");
    Image built = a.build(request().cacheTo(min(cache)), new ArrayList<>());
    assertEquals(List.of("echo unique > /src/unique"), a.ran());

    ImageManifest manifest = manifest(cache);
    CacheConfig config = CacheConfig.parse(Files.readAllBytes(blob(cache,
        manifest.config().digest())));
    // The base stage's COPY and RUN: DiffIDs only; the only blobs are the final image's.
    List<CacheConfig.Entry> omitted = config.entries().stream()
        .filter(CacheConfig.Entry::omitsLayer).toList();
    assertEquals(2, omitted.size(), config.entries().toString());
    omitted.forEach(e -> assertTrue(e.layer() == null && e.diffId() != null, e.toString()));
    assertEquals(java.util.Set.copyOf(built.manifest().layers().stream().map(d -> d.digest())
        .toList()), java.util.Set.copyOf(manifest.layers().stream().map(d -> d.digest())
        .toList()));
    try (var blobs = Files.list(cache.resolve("blobs/sha256"))) {
      assertEquals(2 + manifest.layers().size(), blobs.count()); // + manifest and config
    }

    Machine b = machine("b");
    List<String> messages = new ArrayList<>();
    Image rebuilt = b.build(request().cacheFrom(min(cache)), messages);
    assertEquals(List.of(), b.ran(), messages.toString());
    assertEquals(built.id(), rebuilt.id());
    assertTrue(messages.stream().noneMatch(m -> m.startsWith("WARNING")
        || m.startsWith("cache ")), messages.toString());
    // What b exports again is what a exported: the base stage still only by DiffID.
    Path again = tmp.resolve("again");
    Machine c = machine("c");
    c.build(request().cacheFrom(min(cache)).cacheTo(min(again)), new ArrayList<>());
    assertEquals(config, CacheConfig.parse(Files.readAllBytes(blob(again,
        manifest(again).config().digest()))));
  }

  @Test
  void aStepThatNeedsTheBaseStagesFiles_runsIt_withOneLineAndNoWarning() throws Exception {
    Path cache = tmp.resolve("cache");
    machine("a").build(request().cacheTo(min(cache)), new ArrayList<>());
    // A new stage reads the base stage's files: its RUN misses over layers min left out.
    Files.writeString(context.resolve("Dockerfile"), DOCKERFILE.replace("FROM scratch\n",
        "FROM base AS check\nRUN cat /src/unique\nFROM scratch\n")
        + "COPY --from=check /src/unique /seen\n");
    Machine b = machine("b");
    List<String> messages = new ArrayList<>();
    Image image = b.build(request().cacheFrom(min(cache)), messages);
    assertEquals(List.of("echo unique > /src/unique", "cat /src/unique"), b.ran(),
        messages.toString());
    assertTrue(messages.stream().noneMatch(m -> m.startsWith("WARNING")), messages.toString());
    List<String> lines = messages.stream().filter(m -> m.startsWith("cache ")).toList();
    assertEquals(1, lines.size(), messages.toString());
    assertFalse(lines.get(0).contains("\n"), lines.get(0));
    assertTrue(lines.get(0).contains("omits layer sha256:"), lines.get(0));
    assertEquals(3, image.layers().size());
    // Everything that ran is local and consistent: the same build without the cache hits all.
    Image again = b.build(request(), new ArrayList<>());
    assertEquals(image.id(), again.id());
    assertEquals(2, b.runner().specs().size());
  }

  @Test
  void cacheThatOmitsTheLayersTheImageNeeds_isAMiss_notAnEmptyLayer() throws Exception {
    Path cache = tmp.resolve("cache");
    Image built = machine("a").build(request().cacheTo(CacheSpec.local(cache,
        CacheSpec.Mode.MAX)), new ArrayList<>());
    // A hostile (or broken) cache: every entry, the final image's too, without its layer.
    ImageManifest manifest = manifest(cache);
    CacheConfig honest = CacheConfig.parse(Files.readAllBytes(blob(cache,
        manifest.config().digest())));
    Files.delete(cache.resolve("index.json"));
    LayerStore a = LayerStore.open(tmp.resolve("a"));
    new RemoteCacheStore(a, RegistryOptions.defaults()).export(CacheSpec.local(cache,
            CacheSpec.Mode.MAX),
        new CacheConfig(honest.version(), honest.entries().stream()
            .map(CacheConfig.Entry::withoutLayer).toList()),
        List.of(), new BuildCache(tmp.resolve("none"), a.content()));

    Machine b = machine("b");
    List<String> messages = new ArrayList<>();
    Image image = b.build(request().cacheFrom(min(cache)), messages);
    assertEquals(List.of("echo unique > /src/unique"), b.ran(), messages.toString());
    assertEquals(built.layers().size(), image.layers().size());
    assertTrue(messages.stream().noneMatch(m -> m.startsWith("WARNING")), messages.toString());
    // Nothing was stored under a layer the cache did not carry.
    for (var layer : image.layers()) {
      assertTrue(b.store().content().contains(layer.blob().digest()));
    }
    Image again = b.build(request(), new ArrayList<>());
    assertEquals(image.id(), again.id());
  }

  @Test
  void cacheConfig_omittedLayer_needsADiffIdAndNoLayer() throws Exception {
    String key = "\"key\":\"sha256:" + "a".repeat(64) + "\"";
    String diffId = "\"diffID\":\"sha256:" + "b".repeat(64) + "\"";
    String layer = "\"layer\":{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
        + "\"digest\":\"sha256:" + "c".repeat(64) + "\",\"size\":3}";
    CacheConfig ok = parse("{" + key + "," + diffId + ",\"layerOmitted\":true}");
    assertTrue(ok.entries().get(0).omitsLayer());
    assertTrue(ok.entries().get(0).asLayer().isEmpty());
    assertTrue(ok.manifest(dev.jbuild.layerstore.oci.Descriptor.of("x",
        Digest.sha256("x"), 1)).layers().isEmpty());
    for (String bad : List.of(key + ",\"layerOmitted\":true",
        key + "," + diffId + "," + layer + ",\"layerOmitted\":true",
        key + "," + diffId + ",\"layerOmitted\":false")) {
      assertThrows(IOException.class, () -> parse("{" + bad + "}"), bad);
    }
    // Written only when true, so a carried entry reads as it did before.
    String carried = new String(new CacheConfig(BuildCache.VERSION, List.of(
        parse("{" + key + "," + diffId + "," + layer + "}").entries().get(0))).toBytes(),
        StandardCharsets.UTF_8);
    assertFalse(carried.contains("layerOmitted"), carried);
  }

  private static CacheConfig parse(String entry) throws IOException {
    return CacheConfig.parse(("{\"version\":\"v\",\"entries\":[" + entry + "]}")
        .getBytes(StandardCharsets.UTF_8));
  }

  private static ImageManifest manifest(Path layout) throws IOException {
    ImageIndex index = OciJson.fromBytes(Files.readAllBytes(layout.resolve("index.json")),
        ImageIndex.class);
    return OciJson.fromBytes(Files.readAllBytes(blob(layout, index.manifests().get(0).digest())),
        ImageManifest.class);
  }

  private static Path blob(Path layout, Digest digest) {
    return layout.resolve("blobs/sha256").resolve(digest.hex());
  }
}
