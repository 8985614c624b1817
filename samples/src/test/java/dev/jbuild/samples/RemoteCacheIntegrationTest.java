package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.registry.testing.FaultProxy;
import dev.jbuild.registry.testing.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13's "fresh CI runner": store A builds a multi-stage Dockerfile and exports its cache
 * (registry artifact with mode=max, an OCI layout directory, or inline in the pushed image);
 * store B, empty but for the offline base image, builds the same context from that cache. No RUN
 * step runs in B (plain progress says CACHED), the image ID equals A's, and B downloads no layer
 * from the registry: only manifests and configs (counted in docker-registry's access log), since
 * B pushes its image to the same registry, which mounts the cached layers. Then one source file
 * changes and B runs only the steps after it. One real docker-registry on 127.0.0.1 for the
 * class; a store that reads the registry cache through a proxy corrupting its layers warns once
 * and builds everything itself.
 */
@Tag("root")
class RemoteCacheIntegrationTest {
  /** An access log line: {@code "GET /v2/<name>/blobs/<digest> HTTP/1.1" 200 <bytes>}. */
  private static final Pattern ACCESS = Pattern.compile(
      "\"(GET|HEAD) /v2/([^ ]+)/(blobs|manifests)/([^ ]+) HTTP/[0-9.]+\" (\\d{3}) (\\d+|-)");
  private static final String DOCKERFILE = """
      FROM localbase/busybox:1 AS build
      WORKDIR /src
      COPY src.txt ./
      RUN tr a-z A-Z < src.txt > upper.txt
      RUN wc -c upper.txt > size.txt
      FROM localbase/busybox:1
      COPY --from=build /src/upper.txt /src/size.txt /app/
      COPY conf.txt /app/
      RUN cat /app/conf.txt /app/upper.txt > /app/all.txt
      RUN echo done > /app/done.txt
      """;

  @TempDir static Path work;
  private static LocalRegistry registry;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = LocalRegistry.start(work.resolve("registry"));
    new Jbuild(work.resolve("seed")).importBusybox(work, "localbase/busybox:1");
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private static Path context(String type) throws Exception {
    Path context = Files.createDirectories(work.resolve("context-" + type));
    Files.writeString(context.resolve("Dockerfile"), DOCKERFILE);
    Files.writeString(context.resolve("src.txt"), "source text\n");
    Files.writeString(context.resolve("conf.txt"), "conf 1\n");
    return context;
  }

  /** A store with only the offline busybox base, as a fresh runner has (a copy of one seed). */
  private static Jbuild runner(String name) throws Exception {
    Process cp = new ProcessBuilder("cp", "-a", work.resolve("seed").toString(),
        work.resolve(name).toString()).inheritIO().start();
    assertEquals(0, cp.waitFor());
    return new Jbuild(work.resolve(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"registry", "local", "inline"})
  void freshRunner_rebuildsNothing_downloadsNoLayer(String type) throws Exception {
    String host = registry.address();
    Path context = context(type);
    String imageA = host + "/app/" + type + ":a";
    String imageB = host + "/app/" + type + ":b";
    List<String> cacheTo = switch (type) {
      case "registry" -> List.of("--cache-to",
          "type=registry,ref=" + host + "/cache/app:" + type + ",mode=max");
      case "local" -> List.of("--cache-to", "type=local,dest=" + work.resolve("layout")
          + ",mode=max");
      default -> List.of("--cache-to", "type=inline");
    };
    List<String> cacheFrom = switch (type) {
      case "registry" -> List.of("--cache-from", "type=registry,ref=" + host + "/cache/app:"
          + type);
      case "local" -> List.of("--cache-from", "type=local,src=" + work.resolve("layout"));
      // An inline cache is only in the image, so B writes it again to get the same config.
      default -> List.of("--cache-from", imageA, "--cache-to", "type=inline");
    };
    // Inline is mode=min, which lists the first stage's steps without their layers: B runs
    // nothing either (before min carried them, B rebuilt the stage, which gave the same layers
    // only with SOURCE_DATE_EPOCH; kept, so the check that nothing runs stands alone).
    Map<String, String> env = type.equals("inline") ? Map.of("SOURCE_DATE_EPOCH", "1700000000")
        : Map.of();

    Jbuild a = runner("a-" + type);
    Jbuild.Result built = a.runWithEnv(env, args(context, imageA, cacheTo, work.resolve(
        "a-" + type + ".iid"))).assertSuccess();
    assertEquals(List.of(), cached(built.stderr(), true), built.stderr());
    String idA = Files.readString(work.resolve("a-" + type + ".iid"));

    Jbuild b = runner("b-" + type);
    int logStart = registry.log().length();
    Jbuild.Result rebuilt = b.runWithEnv(env, args(context, imageB, cacheFrom,
        work.resolve("b-" + type + ".iid"))).assertSuccess();
    assertEquals(List.of(), ranRuns(rebuilt.stderr()), rebuilt.stderr());
    assertFalse(rebuilt.stderr().contains("WARNING"), rebuilt.stderr());
    assertEquals(idA, Files.readString(work.resolve("b-" + type + ".iid")), rebuilt.stderr());

    // What B fetched from the registry: manifests and configs, never a layer.
    String bLog = registry.log().substring(logStart);
    Set<String> layers = layerDigests("app/" + type, "a");
    long blobBytes = 0;
    List<String> blobGets = new ArrayList<>();
    for (String[] get : gets(bLog)) {
      if (get[0].equals("blobs")) {
        blobGets.add(get[1]);
        blobBytes += Long.parseLong(get[2]);
        assertFalse(layers.contains(get[1]), "B downloaded layer " + get[1]);
      }
    }
    assertTrue(blobGets.size() <= 1, "B fetched more than one config: " + blobGets);
    if (!type.equals("local")) {
      // The log was read: B's import of the cache manifest and its config are in it.
      assertTrue(gets(bLog).stream().anyMatch(g -> g[0].equals("manifests")), bLog);
      assertEquals(1, blobGets.size(), bLog);
    }
    System.out.println(type + ": B fetched " + blobGets.size() + " blobs, " + blobBytes
        + " bytes (manifests and configs only)");
    assertTrue(blobBytes < 65536, "B fetched " + blobBytes + " bytes of blobs");
    if (!type.equals("local")) {
      assertTrue(rebuilt.stderr().contains("not stored"), rebuilt.stderr());
    }

    if (type.equals("registry")) {
      corruptLayers_areAMissWithOneWarning(host + "/cache/app:" + type, layers);
    }

    // One source file changes: B runs only the RUN steps after its COPY (the layers below are
    // fetched now, since that COPY needs the filesystem).
    Files.writeString(context.resolve("conf.txt"), "conf 2\n");
    Jbuild.Result changed = b.runWithEnv(env, args(context, imageB, cacheFrom,
        work.resolve("b2-" + type + ".iid"))).assertSuccess();
    assertEquals(List.of("cat /app/conf.txt /app/upper.txt > /app/all.txt",
        "echo done > /app/done.txt"), ranRuns(changed.stderr()), changed.stderr());
  }

  /**
   * A runner that reads the cache through a proxy corrupting every layer blob (a real registry
   * never serves a corrupt blob, so only a proxy can): the layer fails its digest check, the
   * build warns once and runs every step itself, and succeeds.
   */
  private static void corruptLayers_areAMissWithOneWarning(String cacheRef, Set<String> layers)
      throws Exception {
    try (FaultProxy proxy = new FaultProxy(registry.address())) {
      proxy.inject("GET", "/blobs/(" + String.join("|", layers) + ")", FaultProxy.Fault.CORRUPT,
          1000);
      Jbuild c = runner("c-corrupt");
      String viaProxy = proxy.address() + cacheRef.substring(registry.address().length());
      Jbuild.Result result = c.run("build", "--progress=plain", "-t", "corrupt:1",
          "--cache-from", "type=registry,ref=" + viaProxy, work.resolve("context-registry")
              .toString()).assertSuccess();
      List<String> warnings = result.stderr().lines().filter(l -> l.startsWith("WARNING"))
          .toList();
      assertEquals(1, warnings.size(), result.stderr());
      assertTrue(warnings.get(0).contains("Tried to fetch layer"), warnings.get(0));
      assertTrue(proxy.injected(FaultProxy.Fault.CORRUPT) >= 1, proxy.log().toString());
      assertEquals(4, ranRuns(result.stderr()).size(), result.stderr());
    }
  }

  private static String[] args(Path context, String tag, List<String> cache, Path iid) {
    List<String> args = new ArrayList<>(List.of("build", "--progress=plain", "--push", "-t", tag,
        "--iidfile", iid.toString()));
    args.addAll(cache);
    args.add(context.toString());
    return args.toArray(String[]::new);
  }

  /** The commands of the RUN steps that ran (not CACHED), in order. */
  private static List<String> ranRuns(String stderr) {
    return cached(stderr, false);
  }

  /** The commands of RUN steps that finished CACHED ({@code cachedOnes}) or DONE. */
  private static List<String> cached(String stderr, boolean cachedOnes) {
    Map<String, String> runs = new LinkedHashMap<>();
    Matcher label = Pattern.compile("(?m)^#(\\d+) \\[[^]]*\\] RUN (.*)$").matcher(stderr);
    while (label.find()) {
      runs.put(label.group(1), label.group(2));
    }
    List<String> result = new ArrayList<>();
    runs.forEach((n, cmd) -> {
      // The last outcome counts: a build that retries without imported caches runs it again.
      boolean wasCached = stderr.lastIndexOf("\n#" + n + " CACHED")
          > stderr.lastIndexOf("\n#" + n + " DONE");
      if (wasCached == cachedOnes) {
        result.add(cmd);
      }
    });
    return result;
  }

  /** Every successful GET of a blob or manifest: {kind, digest or tag, bytes}. */
  private static List<String[]> gets(String log) {
    List<String[]> gets = new ArrayList<>();
    Matcher m = ACCESS.matcher(log);
    while (m.find()) {
      if (m.group(1).equals("GET") && m.group(5).startsWith("2")) {
        gets.add(new String[] {m.group(3), m.group(4),
            m.group(6).equals("-") ? "0" : m.group(6)});
      }
    }
    return gets;
  }

  /** The layer digests of the image A pushed, from the registry's manifest. */
  private static Set<String> layerDigests(String repository, String tag) throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://"
        + registry.address() + "/v2/" + repository + "/manifests/" + tag))
        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json,"
            + "application/vnd.oci.image.manifest.v1+json").build();
    String manifest = java.net.http.HttpClient.newHttpClient()
        .send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    Set<String> digests = new HashSet<>();
    Matcher m = Pattern.compile("sha256:[0-9a-f]{64}").matcher(
        manifest.substring(manifest.indexOf("\"layers\"")));
    while (m.find()) {
      digests.add(m.group());
    }
    assertTrue(digests.size() >= 5, manifest);
    return digests;
  }
}
