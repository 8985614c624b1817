package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.distribution.StoreBaseImageSource;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.RegistryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-platform builds through {@link MultiPlatformBuilder} into a real store, with {@link
 * FakeCommandRunner} for RUN (no root, no QEMU: only the build platform's stage runs RUN). The
 * base is a stored index of an amd64 and an arm64 rootfs, each saying which it is in a file.
 */
class MultiPlatformBuilderTest {
  private static final Instant CLOCK = Instant.parse("2024-01-02T03:04:05Z");
  private static final Platform AMD64 = new Platform("amd64", "linux", null);
  private static final Platform ARM64 = new Platform("arm64", "linux", null);

  @TempDir Path tmp;
  private LayerStore store;
  private final FakeCommandRunner runner = new FakeCommandRunner();

  @BeforeEach
  void baseIndex() throws Exception {
    store = seed(tmp.resolve("store"));
  }

  /** A store with the index {@code base:multi} of an amd64 and an arm64/v8 rootfs. */
  private LayerStore seed(Path root) throws Exception {
    LayerStore store = LayerStore.open(root);
    List<Descriptor> entries = new ArrayList<>();
    for (Platform p : List.of(AMD64, new Platform("arm64", "linux", "v8"))) {
      Path rootfs = Files.createDirectories(tmp.resolve("rootfs-" + p.architecture() + "/etc"));
      if (!Files.exists(rootfs.resolve("arch"))) { // the same layer in every store
        Files.writeString(rootfs.resolve("arch"), p.architecture() + "\n");
      }
      Image image = new RootfsImporter(store).importRootfs(rootfs.getParent(), p, "test");
      Descriptor m = image.manifestDescriptor();
      entries.add(new Descriptor(m.mediaType(), m.digest(), m.size(), Map.of(), p));
    }
    Descriptor index = store.content().put(MediaTypes.OCI_INDEX,
        OciJson.toBytes(ImageIndex.oci(entries)));
    store.images().tag(ImageReference.parse("base:multi"), index);
    return store;
  }

  private Path context(String dockerfile) throws Exception {
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("Dockerfile"), dockerfile);
    Files.writeString(context.resolve("hello.txt"), "hello\n");
    return context;
  }

  private ImageBuilder builder() {
    return new ImageBuilder(store, runner, new StoreBaseImageSource(store,
        RegistryOptions.defaults(), m -> { }), () -> CLOCK);
  }

  /** A builder on {@code on} that imports and exports caches (a fresh CI runner's). */
  private ImageBuilder cachingBuilder(LayerStore on) {
    return new ImageBuilder(on, () -> runner, new StoreBaseImageSource(on,
        RegistryOptions.defaults(), m -> { }), () -> CLOCK,
        new dev.jbuild.builder.remotecache.RemoteCacheStore(on, RegistryOptions.defaults()));
  }

  /** The labels of the steps that did not hit a cache (FROM aside). */
  private static List<String> missed(ImageBuilder builder, BuildRequest request)
      throws Exception {
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    builder.build(request, new BuildListener() {
      @Override
      public void stepFinished(String label, long millis, boolean cached) {
        if (!cached && !label.contains("FROM")) {
          ran.add(label);
        }
      }
    });
    return ran;
  }

  @Test
  void remoteCache_entriesAreKeyedByPlatform() throws Exception {
    Path context = context("FROM base:multi\nCOPY hello.txt /\n");
    Path cache = tmp.resolve("cache");
    missed(cachingBuilder(store), BuildRequest.builder(context).platform(AMD64)
        .cacheTo(dev.jbuild.builder.cache.CacheSpec.local(cache,
            dev.jbuild.builder.cache.CacheSpec.Mode.MAX)).build());
    LayerStore fresh = seed(tmp.resolve("fresh"));
    var from = dev.jbuild.builder.cache.CacheSpec.local(cache,
        dev.jbuild.builder.cache.CacheSpec.Mode.MIN);
    assertEquals(List.of("[2/2] COPY hello.txt /"), missed(cachingBuilder(fresh),
        BuildRequest.builder(context).platform(ARM64).cacheFrom(from).build()),
        "amd64's exported entry must not serve arm64");
    assertEquals(List.of(), missed(cachingBuilder(fresh),
        BuildRequest.builder(context).platform(AMD64).cacheFrom(from).build()));
  }

  @Test
  void cacheTo_ofTwoPlatforms_isOneArtifactThatServesBoth() throws Exception {
    Path context = context("""
        FROM --platform=$BUILDPLATFORM base:multi AS native
        RUN echo native > /native.txt
        FROM base:multi
        COPY --from=native /native.txt /
        COPY hello.txt /
        """);
    Path cache = tmp.resolve("cache");
    var to = dev.jbuild.builder.cache.CacheSpec.local(cache,
        dev.jbuild.builder.cache.CacheSpec.Mode.MAX);
    new MultiPlatformBuilder(cachingBuilder(store), store).build(
        BuildRequest.builder(context).cacheTo(to).build(), List.of(AMD64, ARM64),
        BuildListener.NONE);
    assertEquals(1, runner.specs().size());

    // A fresh CI runner: an empty build cache, only the exported artifact.
    LayerStore fresh = seed(tmp.resolve("fresh"));
    var from = dev.jbuild.builder.cache.CacheSpec.local(cache,
        dev.jbuild.builder.cache.CacheSpec.Mode.MIN);
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    MultiPlatformBuilder.Result result = new MultiPlatformBuilder(cachingBuilder(fresh), fresh)
        .build(BuildRequest.builder(context).cacheFrom(from).build(), List.of(AMD64, ARM64),
            new BuildListener() {
              @Override
              public void stepFinished(String label, long millis, boolean cached) {
                if (!cached && !label.contains("FROM")) {
                  ran.add(label);
                }
              }
            });
    assertEquals(List.of(), ran, "every step of both platforms hits the one exported cache");
    assertEquals(1, runner.specs().size(), "no RUN ran again");
    assertEquals("arm64\n", file(fresh, result.images().get(1).image(), "etc/arch"));
    assertEquals("native\n", file(fresh, result.images().get(0).image(), "native.txt"));
    // Each single-platform build hits it as well.
    assertEquals(List.of(), missed(cachingBuilder(fresh),
        BuildRequest.builder(context).platform(ARM64).cacheFrom(from).build()));
    assertEquals(List.of(), missed(cachingBuilder(fresh),
        BuildRequest.builder(context).platform(AMD64).cacheFrom(from).build()));
  }

  private static String file(LayerStore store, Image image, String path) throws Exception {
    for (int i = image.layers().size() - 1; i >= 0; i--) {
      Path dir = store.snapshots().prepare(image.layers().subList(0, i + 1))
          .absoluteLowerDirsTopFirst().get(0);
      if (Files.exists(dir.resolve(path))) {
        return Files.readString(dir.resolve(path));
      }
    }
    return null;
  }

  @Test
  void twoPlatforms_oneIndex_nativeStageRunsOnce() throws Exception {
    Path context = context("""
        FROM --platform=$BUILDPLATFORM base:multi AS native
        RUN echo native > /native.txt
        FROM base:multi
        ARG TARGETPLATFORM
        ARG TARGETARCH
        ARG TARGETVARIANT
        ARG BUILDPLATFORM
        COPY --from=native /native.txt /
        COPY hello.txt /
        LABEL target="$TARGETPLATFORM $TARGETARCH [$TARGETVARIANT] $BUILDPLATFORM"
        """);
    BuildRequest request = BuildRequest.builder(context)
        .tags(List.of(ImageReference.parse("app:multi"))).build();
    MultiPlatformBuilder.Result result = new MultiPlatformBuilder(builder(), store)
        .build(request, List.of(AMD64, ARM64), BuildListener.NONE);

    assertEquals(1, runner.specs().size(), "the native stage's RUN ran once for both targets");
    assertEquals(2, result.images().size());
    Image amd = result.images().get(0).image();
    Image arm = result.images().get(1).image();
    assertEquals("amd64", amd.config().architecture());
    assertEquals("arm64", arm.config().architecture());
    assertEquals("v8", arm.config().variant(), "the arm64 base's config");
    assertEquals("amd64\n", file(store, amd, "etc/arch"));
    assertEquals("arm64\n", file(store, arm, "etc/arch"), "each platform's own base");
    assertEquals("native\n", file(store, arm, "native.txt"));
    String host = Platform.host().toString();
    assertEquals("linux/arm64 arm64 [] " + host,
        arm.config().containerConfig().labels().get("target"));
    assertEquals("linux/amd64 amd64 [] " + host,
        amd.config().containerConfig().labels().get("target"));

    Descriptor tagged = store.images().resolve(ImageReference.parse("app:multi")).orElseThrow();
    assertEquals(MediaTypes.OCI_INDEX, tagged.mediaType());
    assertEquals(result.index().digest(), tagged.digest());
    ImageIndex index = OciJson.fromBytes(store.content().readAll(tagged.digest()),
        ImageIndex.class);
    assertEquals(List.of(amd.manifestDigest(), arm.manifestDigest()),
        index.manifests().stream().map(Descriptor::digest).toList());
    assertEquals(List.of("linux/amd64", "linux/arm64/v8"),
        index.manifests().stream().map(d -> d.platform().toString()).toList());

    // A later single-platform build of the same Dockerfile hits the cache for every step.
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    builder().build(BuildRequest.builder(context).platform(ARM64).build(), new BuildListener() {
      @Override
      public void stepFinished(String label, long millis, boolean cached) {
        if (!cached && !label.contains("FROM")) {
          ran.add(label);
        }
      }
    });
    assertEquals(List.of(), ran);
    assertEquals(1, runner.specs().size());
  }

  @Test
  void cacheKeys_namePlatform_soAnotherTargetMisses() throws Exception {
    Path context = context("FROM base:multi\nCOPY hello.txt /\n");
    builder().build(BuildRequest.builder(context).platform(AMD64).build(), BuildListener.NONE);
    List<String> cached = Collections.synchronizedList(new ArrayList<>());
    builder().build(BuildRequest.builder(context).platform(ARM64).build(), new BuildListener() {
      @Override
      public void stepFinished(String label, long millis, boolean hit) {
        if (hit) {
          cached.add(label);
        }
      }
    });
    assertEquals(List.of(), cached, "the same COPY for arm64 must not reuse amd64's entry");
  }

  @Test
  void fromPlatform_badValue_isALocatedError() throws Exception {
    Path context = context("FROM --platform=linux base:multi\nCOPY hello.txt /\n");
    BuildException e = assertThrows(BuildException.class, () -> builder().build(
        BuildRequest.builder(context).build(), BuildListener.NONE));
    assertTrue(e.getMessage().startsWith("Dockerfile:1: FROM --platform=linux: invalid platform"),
        e.getMessage());
  }

  @Test
  void stageFromAnotherStage_runsOnItsPlatform() throws Exception {
    Path context = context("""
        FROM --platform=linux/arm64 base:multi AS a
        FROM a
        COPY hello.txt /
        """);
    BuildResult result = builder().build(BuildRequest.builder(context).platform(AMD64).build(),
        BuildListener.NONE);
    assertEquals("arm64\n", file(store, result.image(), "etc/arch"));
    assertEquals("arm64", result.image().config().architecture());
  }
}
