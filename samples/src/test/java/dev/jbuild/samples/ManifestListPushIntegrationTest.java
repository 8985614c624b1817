package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.builder.cli.Main;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.testing.FaultProxy;
import dev.jbuild.registry.testing.FaultProxy.Fault;
import dev.jbuild.registry.testing.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's last gap: Docker manifest lists for registries that refuse the OCI index. A real
 * docker-registry on 127.0.0.1 sits behind {@link FaultProxy}, which answers every OCI index PUT
 * with {@code 400 MANIFEST_INVALID} (as older Harbor and Quay do; no real registry here refuses
 * one). {@code build --platform a,b --push} and {@code jbuild push} of a stored index then push
 * a Docker manifest list with one warning, and the digest they print and record is the list's;
 * {@code -o type=registry,oci-mediatypes=false} stores and pushes a list without trying;
 * {@code oci-mediatypes=true} fails on such a registry. skopeo reads what the registry holds.
 *
 * <p>Cheap: no QEMU and no RUN. The two-platform base is two imported one-file rootfs under an
 * index, the Dockerfile only COPYs, and the CLI runs in this JVM; one registry, proxy and store
 * for the class.
 */
class ManifestListPushIntegrationTest {
  @TempDir static Path work;
  private static LocalRegistry registry;
  private static FaultProxy proxy;
  private static Path root;
  private static Path context;

  @BeforeAll
  static void fixtures() throws Exception {
    registry = LocalRegistry.start(work.resolve("registry"));
    proxy = new FaultProxy(registry.address());
    proxy.inject("PUT", "/manifests/", MediaTypes.OCI_INDEX, Fault.MANIFEST_INVALID, 1000);
    root = work.resolve("store");
    LayerStore store = LayerStore.open(root);
    List<Descriptor> entries = new ArrayList<>();
    for (String p : List.of("linux/amd64", "linux/arm64")) {
      Path rootfs = Files.createDirectories(work.resolve(p.replace('/', '_') + "/etc"));
      Files.writeString(rootfs.resolve("arch"), p + "\n");
      Image image = new RootfsImporter(store).importRootfs(rootfs.getParent(),
          Platform.parse(p), "test");
      Descriptor m = image.manifestDescriptor();
      entries.add(new Descriptor(m.mediaType(), m.digest(), m.size(), Map.of(),
          Platform.parse(p)));
    }
    Descriptor index = store.content().put(MediaTypes.OCI_INDEX,
        OciJson.toBytes(ImageIndex.oci(entries)));
    store.images().tag(ImageReference.parse("example.com/multi:1"), index);
    context = Files.createDirectories(work.resolve("context"));
    Files.writeString(context.resolve("Dockerfile"), "FROM example.com/multi:1\n"
        + "COPY hello.txt /\n");
    Files.writeString(context.resolve("hello.txt"), "hello\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  record Out(int code, String stdout, String stderr) {
    Out ok() {
      assertEquals(0, code, stdout + "\n" + stderr);
      return this;
    }

    List<String> warnings() {
      return stderr.lines().filter(l -> l.contains("WARNING")).toList();
    }
  }

  /** The CLI in this JVM; stdout and stderr (where build progress goes) are captured. */
  private static synchronized Out jbuild(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    StringWriter cliOut = new StringWriter();
    StringWriter cliErr = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = Main.execute(all.toArray(new String[0]), new PrintWriter(cliOut),
          new PrintWriter(cliErr));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Out(code, out.toString(StandardCharsets.UTF_8) + cliOut,
        err.toString(StandardCharsets.UTF_8) + cliErr);
  }

  private static String raw(String repositoryAndTag) throws Exception {
    return Docker.exec(List.of("skopeo", "inspect", "--raw", "--tls-verify=false",
        "docker://" + registry.address() + "/" + repositoryAndTag)).assertSuccess().stdout();
  }

  /** A Docker manifest list of an amd64 and an arm64 Docker schema 2 image. */
  private static JsonNode assertDockerList(String raw) throws Exception {
    JsonNode list = OciJson.mapper().readTree(raw);
    assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, list.path("mediaType").asText(), raw);
    Map<String, String> platforms = new TreeMap<>();
    for (JsonNode m : list.path("manifests")) {
      assertEquals(MediaTypes.DOCKER_MANIFEST, m.path("mediaType").asText(), raw);
      platforms.put(m.path("platform").path("os").asText() + "/"
          + m.path("platform").path("architecture").asText(), m.path("digest").asText());
    }
    assertEquals(List.of("linux/amd64", "linux/arm64"), List.copyOf(platforms.keySet()), raw);
    return list;
  }

  private static String digestOf(String raw) {
    return Digest.sha256(raw.getBytes(StandardCharsets.UTF_8)).toString();
  }

  @Test
  void buildPush_toARegistryRefusingTheOciIndex_pushesAManifestList_andRecordsItsDigest()
      throws Exception {
    Path iid = work.resolve("fallback.iid");
    Path metadata = work.resolve("fallback.json");
    Out built = jbuild("build", "--progress", "plain", "--platform", "linux/amd64,linux/arm64",
        "-t", proxy.address() + "/app/fallback:1", "--push", "--iidfile", iid.toString(),
        "--metadata-file", metadata.toString(), context.toString()).ok();

    String raw = raw("app/fallback:1");
    assertDockerList(raw);
    String digest = digestOf(raw);
    assertEquals(1, built.warnings().size(), built.stderr());
    assertTrue(built.warnings().get(0).contains("refused the OCI image index")
        && built.warnings().get(0).contains("MANIFEST_INVALID")
        && built.warnings().get(0).contains(digest), built.warnings().get(0));
    assertTrue(built.stderr().contains("pushed " + proxy.address() + "/app/fallback:1: digest: "
        + digest + " size: " + raw.length()), built.stderr());
    assertEquals(digest, Files.readString(iid));
    JsonNode meta = OciJson.mapper().readTree(Files.readString(metadata));
    assertEquals(digest, meta.path("containerimage.digest").asText());
    assertEquals(MediaTypes.DOCKER_MANIFEST_LIST,
        meta.path("containerimage.descriptor").path("mediaType").asText());
    assertEquals(raw.length(), meta.path("containerimage.descriptor").path("size").asLong());
    // The store keeps the OCI index the build made; the list holds its very entries.
    Descriptor stored = LayerStore.open(root).images()
        .resolve(ImageReference.parse(proxy.address() + "/app/fallback:1")).orElseThrow();
    assertEquals(MediaTypes.OCI_INDEX, stored.mediaType());
    ImageIndex index = OciJson.fromBytes(LayerStore.open(root).content().readAll(stored),
        ImageIndex.class);
    assertEquals(index.toDockerManifestList(), OciJson.fromBytes(
        raw.getBytes(StandardCharsets.UTF_8), ImageIndex.class));
  }

  @Test
  void ociMediaTypesFalse_storesAndPushesAManifestList_withoutTryingTheOciIndex()
      throws Exception {
    Path iid = work.resolve("explicit.iid");
    String image = proxy.address() + "/app/explicit:1";
    int refusalsBefore = proxy.injected(Fault.MANIFEST_INVALID);
    Out built = jbuild("build", "--progress", "plain", "--platform", "linux/amd64,linux/arm64",
        "-t", image, "-o", "type=registry,oci-mediatypes=false", "--iidfile", iid.toString(),
        context.toString()).ok();

    String raw = raw("app/explicit:1");
    assertDockerList(raw);
    assertEquals(List.of(), built.warnings(), built.stderr());
    assertEquals(refusalsBefore, proxy.injected(Fault.MANIFEST_INVALID), proxy.log().toString());
    assertFalse(proxy.log().stream().anyMatch(l -> l.contains("/app/explicit/")
        && l.contains(MediaTypes.OCI_INDEX)), proxy.log().toString());
    assertEquals(digestOf(raw), Files.readString(iid));
    // Stored as the list itself, byte for byte what the registry holds; the image commands
    // read it as any index.
    LayerStore store = LayerStore.open(root);
    Descriptor stored = store.images().resolve(ImageReference.parse(image)).orElseThrow();
    assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, stored.mediaType());
    assertEquals(raw, new String(store.content().readAll(stored), StandardCharsets.UTF_8));
    JsonNode arm = OciJson.mapper().readTree(jbuild("inspect", "--platform", "linux/arm64",
        image).ok().stdout()).get(0);
    assertEquals("arm64", arm.path("Architecture").asText());
  }

  @Test
  void push_ofAStoredIndex_toARegistryRefusingIt_printsTheListsDigest() throws Exception {
    String image = proxy.address() + "/app/pushed:1";
    jbuild("tag", "example.com/multi:1", image).ok();
    Out pushed = jbuild("push", image).ok();

    String raw = raw("app/pushed:1");
    assertDockerList(raw);
    List<String> lines = pushed.stdout().strip().lines().toList();
    assertEquals("1: digest: " + digestOf(raw) + " size: " + raw.length(),
        lines.get(lines.size() - 1), pushed.stdout());
    assertEquals(1, pushed.warnings().size(), pushed.stderr());
    assertTrue(pushed.warnings().get(0).startsWith("WARNING: "), pushed.stderr());
  }

  @Test
  void ociMediaTypesTrue_onARegistryRefusingTheOciIndex_failsInOneLine() throws Exception {
    Out failed = jbuild("build", "--progress", "quiet", "--platform",
        "linux/amd64,linux/arm64", "-o", "type=image,name=" + proxy.address()
            + "/app/strict:1,push=true,oci-mediatypes=true", context.toString());
    assertEquals(1, failed.code(), failed.stdout() + failed.stderr());
    List<String> errors = failed.stderr().lines().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), failed.stderr());
    assertTrue(errors.get(0).contains("MANIFEST_INVALID"), errors.get(0));
    assertTrue(failed.warnings().isEmpty(), failed.stderr());
  }
}
