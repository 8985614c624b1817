package dev.jbuild.samples.buildkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.ImageBuilder;
import dev.jbuild.builder.cache.CacheSpec;
import dev.jbuild.builder.distribution.StoreBaseImageSource;
import dev.jbuild.builder.exec.RunnerSource;
import dev.jbuild.builder.export.ImageExporter;
import dev.jbuild.builder.export.OutputSpec;
import dev.jbuild.builder.remotecache.RemoteCacheStore;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.registry.testing.LocalRegistry;
import dev.jbuild.samples.Jbuild;
import dev.jbuild.samples.buildkit.SuiteCase.Line;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The stores one case builds in, and the harness lines that reach outside one build: the remote
 * cache ({@code cache-to}, {@code cache-from}), a {@code fresh} store (BuildKit's {@code
 * ensurePruneAll}: a runner with nothing but the base image), {@code output oci} (the Go tests'
 * OCI exporter, extracted as a layout for a later {@code oci-layout://} context) and the checks
 * on image IDs and on what a registry holds. Words may say {@code $REGISTRY} (the class's
 * docker-registry on 127.0.0.1, started by the first case that names it), {@code $DIR} (the
 * case's scratch directory) and {@code $OCI_DIGEST} (the manifest of the last {@code output
 * oci}).
 */
final class SuiteStores {
  /** Build inputs of one phase, for {@link SuiteCase#BUILD_INPUTS}. */
  static final List<String> INPUTS = List.of("cache-to", "cache-from", "fresh", "output");
  /** Checks on the build's result that {@link RootfsChecks} does not make. */
  static final List<String> CHECKS = List.of("same-id", "differs-id", "registry-manifest");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final LayerStore shared;
  private final ImageBuilder sharedBuilder;
  private final RunnerSource runner;
  private final Supplier<LocalRegistry> registry;
  private final Path dir;
  private LayerStore store;
  private ImageBuilder builder;
  private int freshStores;
  private int outputs;
  private String ociDigest;
  private Image previous;

  /**
   * @param shared the class's store (busybox tagged), used until a {@code fresh} line
   * @param sharedBuilder the class's builder on {@code shared}
   * @param runner the class's runner; it serves every store (run dirs are its own)
   * @param registry starts (once) and returns the class's registry
   * @param dir the case's scratch directory, deleted with the case
   */
  SuiteStores(LayerStore shared, ImageBuilder sharedBuilder, RunnerSource runner,
      Supplier<LocalRegistry> registry, Path dir) {
    this.shared = shared;
    this.sharedBuilder = sharedBuilder;
    this.runner = runner;
    this.registry = registry;
    this.dir = dir;
    this.store = shared;
    this.builder = sharedBuilder;
  }

  /** A builder on {@code store} that reads and writes remote caches, as the CLI's does. */
  static ImageBuilder builder(LayerStore store, RunnerSource runner) {
    return new ImageBuilder(store, runner,
        new StoreBaseImageSource(store, RegistryOptions.defaults(), m -> { }), Instant::now,
        new RemoteCacheStore(store, RegistryOptions.defaults()));
  }

  /** An empty store with the offline busybox tagged {@code busybox:latest}. */
  static LayerStore storeWithBusybox(Path root) throws IOException, InterruptedException {
    LayerStore store = LayerStore.open(root);
    Image busybox = new RootfsImporter(store).importRootfs(Jbuild.busyboxRootfsTar(),
        Platform.host(), "Imported from busybox-rootfs.tar");
    store.images().tag(ImageReference.parse("busybox:latest"), busybox.manifestDescriptor());
    return store;
  }

  LayerStore store() {
    return store;
  }

  ImageBuilder builder() {
    return builder;
  }

  boolean isShared() {
    return store == shared;
  }

  /**
   * Applies this phase's lines before its build: {@code fresh} moves the case (this build and
   * the ones after it) to a new store; {@code cache-to}/{@code cache-from} add their spec.
   */
  void before(List<Line> setup, BuildRequest.Builder request)
      throws IOException, InterruptedException {
    for (Line l : setup) {
      switch (l.keyword()) {
        case "fresh" -> {
          // A runner that starts empty, as BuildKit's ensurePruneAll leaves it.
          store = storeWithBusybox(dir.resolve("fresh-store-" + ++freshStores));
          builder = builder(store, runner);
        }
        case "cache-to" -> request.cacheTo(CacheSpec.parse(substitute(l.word(0)), true));
        case "cache-from" -> request.cacheFrom(CacheSpec.parse(substitute(l.word(0)), false));
        default -> { }
      }
    }
  }

  /** Writes this phase's {@code output oci} exports of the built image. */
  void after(List<Line> setup, Image image) throws IOException, InterruptedException {
    for (Line l : setup) {
      if (l.keyword().equals("output")) {
        if (!l.word(0).equals("oci")) {
          throw new IllegalArgumentException("expect:" + l.number() + ": output oci");
        }
        // The Go tests extract the OCI exporter's tar into a directory: the same here.
        Path tar = dir.resolve("oci-" + ++outputs + ".tar");
        new ImageExporter(store).export(image, List.of(),
            new OutputSpec(OutputSpec.Type.OCI, tar.toString()));
        Path layout = Files.createDirectories(dir.resolve("oci-layout"));
        Process p = new ProcessBuilder("tar", "-xf", tar.toString(), "-C", layout.toString())
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
          throw new IOException("tar -xf " + tar + ": " + out);
        }
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        // The Go tests: require.Equal(t, 1, len(index.Manifests)), then its digest.
        if (index.path("manifests").size() != 1) {
          throw new AssertionError("the OCI export's index has " + index.path("manifests")
              .size() + " manifests, not 1: " + index);
        }
        ociDigest = index.path("manifests").get(0).path("digest").asText();
      }
    }
  }

  /**
   * Checks {@code same-id}, {@code differs-id} (the image's manifest digest, what the Go tests
   * compare as {@code img.Target}, against the build before's) and {@code registry-manifest REF
   * POINTER JSON}; returns the failures and remembers {@code image} for the next build.
   */
  List<String> check(List<Line> checks, Image image) throws IOException, InterruptedException {
    List<String> failures = new ArrayList<>();
    for (Line l : checks) {
      switch (l.keyword()) {
        case "same-id", "differs-id" -> {
          if (previous == null) {
            failures.add("expect:" + l.number() + ": " + l.keyword() + " needs a build before");
          } else if (previous.manifestDigest().equals(image.manifestDigest())
              != l.keyword().equals("same-id")) {
            failures.add("expect:" + l.number() + ": the image is " + image.manifestDigest()
                + " (ID " + image.id() + "), the build before's " + previous.manifestDigest()
                + " (ID " + previous.id() + ")");
          }
        }
        case "registry-manifest" -> {
          JsonNode manifest = registryManifest(substitute(l.word(0)));
          JsonNode want = JSON.readTree(l.textAfter(2));
          JsonNode got = manifest.at(l.word(1));
          if (!want.equals(got)) {
            failures.add("expect:" + l.number() + ": " + l.word(1) + " of the manifest at "
                + l.word(0) + " is " + got + ", not " + want + ": " + manifest);
          }
        }
        default -> { }
      }
    }
    previous = image;
    return failures;
  }

  /** The manifest (or index) {@code ref} names in the registry, as its API returns it. */
  private static JsonNode registryManifest(String ref) throws IOException, InterruptedException {
    int slash = ref.indexOf('/');
    int colon = ref.lastIndexOf(':');
    URI uri = URI.create("http://" + ref.substring(0, slash) + "/v2/"
        + ref.substring(slash + 1, colon) + "/manifests/" + ref.substring(colon + 1));
    HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
        .header("Accept", String.join(",", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + uri + ": HTTP " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }

  /** {@code word} with {@code $REGISTRY}, {@code $DIR} and {@code $OCI_DIGEST} replaced. */
  String substitute(String word) {
    String out = word;
    if (out.contains("$REGISTRY")) {
      out = out.replace("$REGISTRY", registry.get().address());
    }
    if (out.contains("$OCI_DIGEST")) {
      if (ociDigest == null) {
        throw new IllegalArgumentException("$OCI_DIGEST before an output oci line: " + word);
      }
      out = out.replace("$OCI_DIGEST", ociDigest);
    }
    return out.replace("$DIR", dir.toString());
  }
}
