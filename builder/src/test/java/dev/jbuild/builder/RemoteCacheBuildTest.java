package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.cache.CacheConfig;
import dev.jbuild.builder.cache.CacheSpec;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.exec.BuildOptions;
import dev.jbuild.builder.plan.NetworkPolicy;
import dev.jbuild.builder.remotecache.RemoteCacheStore;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.RegistryOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --cache-to type=local} / {@code --cache-from type=local} between two stores (two
 * "machines"), with {@link FakeCommandRunner} in place of containers: no root needed. The
 * registry flavour of the same flow runs against a real registry in samples
 * ({@code RemoteCacheIntegrationTest}).
 */
class RemoteCacheBuildTest {
  private static final String DOCKERFILE = """
      FROM base:1 AS builder
      WORKDIR /src
      COPY src.txt /src/
      RUN echo built > /src/out.txt
      FROM base:1
      ARG FLAVOUR
      RUN echo one > /one
      COPY --from=builder /src/out.txt /app/
      COPY conf.txt /app/
      RUN echo two > /two
      """;

  @TempDir Path tmp;
  private Path context;

  @BeforeEach
  void context() throws IOException {
    context = BuildFixture.context(tmp, DOCKERFILE, "src.txt", "source\n", "conf.txt", "conf\n");
    BuildFixture.rootfs(tmp);
  }

  /** A fresh store with the base image, as a new CI runner would have. */
  private Machine machine(String name) throws IOException {
    return new Machine(BuildFixture.storeWithBase(tmp.resolve(name), tmp.resolve("rootfs")),
        new FakeCommandRunner());
  }

  private record Machine(LayerStore store, FakeCommandRunner runner) {
    BuildResult build(BuildRequest.Builder request, List<String> messages) throws Exception {
      BuildListener listener = BuildFixture.infos(messages);
      return new ImageBuilder(store, () -> runner, StoredBases.of(store), () -> Instant.now(),
          new RemoteCacheStore(store, RegistryOptions.defaults())).build(request.build(),
          listener);
    }
  }

  private BuildRequest.Builder request() {
    return BuildRequest.builder(context).network(NetworkPolicy.BRIDGE)
        .platform(Platform.parse("linux/amd64"));
  }

  @Test
  void freshStore_rebuildsNothing_sameImage_thenOnlyStepsAfterAChange() throws Exception {
    Path cacheDir = tmp.resolve("cache");
    Machine a = machine("a");
    Image built = a.build(request().cacheTo(CacheSpec.local(cacheDir, CacheSpec.Mode.MAX)),
        new ArrayList<>()).image();
    assertEquals(3, a.runner().specs().size());

    Machine b = machine("b");
    List<String> messages = new ArrayList<>();
    Image rebuilt = b.build(request().cacheFrom(CacheSpec.local(cacheDir, CacheSpec.Mode.MIN)),
        messages).image();
    assertEquals(0, b.runner().specs().size(), messages.toString());
    assertEquals(built.id(), rebuilt.id());
    assertTrue(messages.stream().noneMatch(m -> m.startsWith("WARNING")), messages.toString());

    // The final stage's second COPY changes: only it and the RUN after it run again.
    Files.writeString(context.resolve("conf.txt"), "conf 2\n");
    Machine c = machine("c");
    c.build(request().cacheFrom(CacheSpec.local(cacheDir, CacheSpec.Mode.MIN)),
        new ArrayList<>());
    assertEquals(List.of("echo two > /two"), c.runner().specs().stream()
        .map(s -> s.args().get(2)).toList());
  }

  @Test
  void modeMin_carriesOnlyTheFinalImagesLayers() throws Exception {
    Path min = tmp.resolve("min");
    Path max = tmp.resolve("max");
    machine("a").build(request().cacheTo(CacheSpec.local(min, CacheSpec.Mode.MIN))
        .cacheTo(CacheSpec.local(max, CacheSpec.Mode.MAX)), new ArrayList<>());
    Machine b = machine("b");
    b.build(request().cacheFrom(CacheSpec.local(min, CacheSpec.Mode.MIN)), new ArrayList<>());
    // The builder stage is not in the final image: min lists its steps without their layers,
    // enough for the final COPY --from's chain key, so nothing runs (BuildKit's mode=min).
    assertEquals(List.of(), b.runner().specs());
    assertTrue(Files.size(blobOfConfig(min)) < Files.size(blobOfConfig(max)));
    try (Stream<Path> minBlobs = Files.list(min.resolve("blobs/sha256"));
        Stream<Path> maxBlobs = Files.list(max.resolve("blobs/sha256"))) {
      assertTrue(minBlobs.count() < maxBlobs.count());
    }
  }

  @Test
  void export_carriesNoSecretNoUnkeyedBuildArgAndNoHostPath() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "s3cr3t-value-77");
    Path cacheDir = tmp.resolve("cache");
    String dockerfile = """
        FROM base:1
        ARG UNUSED
        RUN --mount=type=secret,id=tok echo hi > /hi
        """;
    Files.writeString(context.resolve("Dockerfile"), dockerfile);
    machine("a").build(request().secret("tok", new BuildOptions.Secret(secret, null))
        .buildArgs(java.util.Map.of("UNUSED", "argvalue-4242"))
        .cacheTo(CacheSpec.local(cacheDir, CacheSpec.Mode.MAX)), new ArrayList<>());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(cacheDir)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertFalse(files.isEmpty());
    for (Path f : files) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String needle : List.of("s3cr3t-value-77", "argvalue-4242", tmp.toString(),
          "secret.txt")) {
        assertFalse(text.contains(needle), f + " contains " + needle);
      }
    }
  }

  @Test
  void corruptBlob_isAMissWithOneWarning_andTheBuildSucceeds() throws Exception {
    Path cacheDir = tmp.resolve("cache");
    Image built = machine("a").build(request().cacheTo(
        CacheSpec.local(cacheDir, CacheSpec.Mode.MAX)), new ArrayList<>()).image();
    // Damage one layer the final image needs (its last one, the RUN's).
    Path layer = cacheDir.resolve("blobs/sha256")
        .resolve(built.manifest().layers().get(built.manifest().layers().size() - 1)
            .digest().hex());
    byte[] bytes = Files.readAllBytes(layer);
    bytes[bytes.length / 2] ^= 1;
    Files.write(layer, bytes);

    Machine b = machine("b");
    List<String> messages = new ArrayList<>();
    Image rebuilt = b.build(request().cacheFrom(CacheSpec.local(cacheDir, CacheSpec.Mode.MIN)),
        messages).image();
    // Rebuilt steps get new mtimes, so only the shape is compared.
    assertEquals(built.layers().size(), rebuilt.layers().size());
    assertEquals(1, messages.stream().filter(m -> m.startsWith("WARNING")).count(),
        messages.toString());
    assertFalse(b.runner().specs().isEmpty());
  }

  @Test
  void otherCacheVersion_orMissingCache_isAMissWithOneWarning() throws Exception {
    Path cacheDir = tmp.resolve("cache");
    machine("a").build(request().cacheTo(CacheSpec.local(cacheDir, CacheSpec.Mode.MAX)),
        new ArrayList<>());
    // Rewrite the artifact as another jbuild version would have written it.
    Path config = blobOfConfig(cacheDir);
    CacheConfig old = CacheConfig.parse(Files.readAllBytes(config));
    Files.delete(cacheDir.resolve("index.json"));
    new RemoteCacheStore(LayerStore.open(tmp.resolve("a")), RegistryOptions.defaults())
        .export(CacheSpec.local(cacheDir, CacheSpec.Mode.MAX),
            new CacheConfig("jbuild-cache-v1", old.entries()), List.of(),
            new dev.jbuild.builder.cache.BuildCache(tmp.resolve("none"),
                LayerStore.open(tmp.resolve("a")).content()));

    Machine b = machine("b");
    List<String> messages = new ArrayList<>();
    b.build(request().cacheFrom(CacheSpec.local(cacheDir, CacheSpec.Mode.MIN))
        .cacheFrom(CacheSpec.local(tmp.resolve("absent"), CacheSpec.Mode.MIN)), messages);
    List<String> warnings = messages.stream().filter(m -> m.startsWith("WARNING")).toList();
    assertEquals(2, warnings.size(), messages.toString());
    assertTrue(warnings.get(0).contains("jbuild-cache-v1"), warnings.get(0));
    assertEquals(3, b.runner().specs().size());
  }

  @Test
  void unreachableCacheRegistry_isAMissWithOneWarning() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Machine b = machine("b");
    List<String> messages = new ArrayList<>();
    b.build(request().cacheFrom(CacheSpec.registry("127.0.0.1:" + port + "/cache/app:c",
        CacheSpec.Mode.MIN)), messages);
    List<String> warnings = messages.stream().filter(m -> m.startsWith("WARNING")).toList();
    assertEquals(1, warnings.size(), messages.toString());
    assertTrue(warnings.get(0).contains("127.0.0.1:" + port), warnings.get(0));
    assertFalse(warnings.get(0).contains("\n"), warnings.get(0));
    assertEquals(3, b.runner().specs().size());
  }

  @Test
  void cacheThatMisnamesALayersDiffId_isAMissWithOneWarning() throws Exception {
    Path cacheDir = tmp.resolve("cache");
    machine("a").build(request().cacheTo(CacheSpec.local(cacheDir, CacheSpec.Mode.MAX)),
        new ArrayList<>());
    // Every entry keeps its (valid) blob but claims another layer's DiffID.
    CacheConfig honest = CacheConfig.parse(Files.readAllBytes(blobOfConfig(cacheDir)));
    List<CacheConfig.Entry> lying = new ArrayList<>();
    for (CacheConfig.Entry e : honest.entries()) {
      lying.add(e.diffId() == null ? e : new CacheConfig.Entry(e.key(), e.layer(),
          dev.jbuild.layerstore.oci.Digest.sha256("not this layer"), e.created(), e.alias()));
    }
    LayerStore a = LayerStore.open(tmp.resolve("a"));
    new RemoteCacheStore(a, RegistryOptions.defaults()).export(
        CacheSpec.local(cacheDir, CacheSpec.Mode.MAX), new CacheConfig(honest.version(), lying),
        List.of(), new dev.jbuild.builder.cache.BuildCache(tmp.resolve("none"), a.content()));

    Machine b = machine("b");
    List<String> messages = new ArrayList<>();
    Image image = b.build(request().cacheFrom(CacheSpec.local(cacheDir, CacheSpec.Mode.MIN)),
        messages).image();
    List<String> warnings = messages.stream().filter(m -> m.startsWith("WARNING")).toList();
    assertEquals(1, warnings.size(), messages.toString());
    assertTrue(warnings.get(0).contains("DiffID"), warnings.get(0));
    assertEquals(3, b.runner().specs().size());
    assertFalse(image.config().rootfs().diffIds()
        .contains(dev.jbuild.layerstore.oci.Digest.sha256("not this layer")));
    // Nothing the lie named was kept: a second build without the cache hits only real entries.
    Image again = b.build(request(), new ArrayList<>()).image();
    assertEquals(image.id(), again.id());
  }

  /** The config blob of the layout's cache manifest. */
  private static Path blobOfConfig(Path layout) throws IOException {
    var index = dev.jbuild.layerstore.oci.OciJson.fromBytes(
        Files.readAllBytes(layout.resolve("index.json")),
        dev.jbuild.layerstore.oci.ImageIndex.class);
    var manifest = dev.jbuild.layerstore.oci.OciJson.fromBytes(Files.readAllBytes(
        layout.resolve("blobs/sha256").resolve(index.manifests().get(0).digest().hex())),
        dev.jbuild.layerstore.oci.ImageManifest.class);
    assertEquals(CacheConfig.MEDIA_TYPE, manifest.config().mediaType());
    return layout.resolve("blobs/sha256").resolve(manifest.config().digest().hex());
  }
}
