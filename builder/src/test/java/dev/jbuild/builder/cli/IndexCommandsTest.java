package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image commands on a tagged image index (what {@code build --platform a,b} stores),
 * in-process on a real store: {@code images} shows the index and its platforms, {@code inspect}
 * and {@code save} pick one platform's image (this machine's unless {@code --platform} says).
 */
class IndexCommandsTest {
  @TempDir Path tmp;
  private Path root;
  private Image amd;
  private Image arm;
  private Descriptor index;

  record Out(int code, String stdout, String stderr) {}

  private Out jbuild(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    int code = Main.execute(all.toArray(new String[0]), new PrintWriter(out),
        new PrintWriter(err));
    return new Out(code, out.toString(), err.toString());
  }

  private Out ok(String... args) {
    Out o = jbuild(args);
    assertEquals(0, o.code(), String.join(" ", args) + "\n" + o.stdout() + o.stderr());
    return o;
  }

  @BeforeEach
  void store() throws Exception {
    root = tmp.resolve("store");
    LayerStore store = LayerStore.open(root);
    List<Descriptor> entries = new ArrayList<>();
    List<Image> images = new ArrayList<>();
    for (String p : List.of("linux/amd64", "linux/arm64")) {
      Path rootfs = Files.createDirectories(tmp.resolve(p.replace('/', '_') + "/etc"));
      Files.writeString(rootfs.resolve("arch"), p + "\n");
      Image image = new RootfsImporter(store).importRootfs(rootfs.getParent(), Platform.parse(p),
          "test");
      images.add(image);
      Descriptor m = image.manifestDescriptor();
      entries.add(new Descriptor(m.mediaType(), m.digest(), m.size(), Map.of(),
          Platform.parse(p)));
    }
    amd = images.get(0);
    arm = images.get(1);
    index = store.content().put(MediaTypes.OCI_INDEX, OciJson.toBytes(ImageIndex.oci(entries)));
    store.images().tag(ImageReference.parse("example.com/multi:1"), index);
  }

  @Test
  void images_showsTheIndexAndItsPlatforms_notItsImagesAsDangling() {
    String table = ok("images").stdout();
    List<String> lines = table.lines().toList();
    assertEquals(4, lines.size(), table);
    assertTrue(lines.get(1).startsWith("example.com/multi   1 "), table);
    assertTrue(lines.get(1).contains(index.digest().shortHex()), table);
    assertTrue(lines.get(2).startsWith("├─ linux/amd64") && lines.get(2)
        .contains(amd.id().shortHex()), table);
    assertTrue(lines.get(3).startsWith("└─ linux/arm64") && lines.get(3)
        .contains(arm.id().shortHex()), table);
    assertFalse(table.contains("<none>"), table);
    assertEquals(index.digest().shortHex() + "\n", ok("images", "-q").stdout());
  }

  @Test
  void inspect_picksThePlatform() throws Exception {
    JsonNode armNode = OciJson.mapper().readTree(ok("inspect", "--platform", "linux/arm64",
        "example.com/multi:1").stdout()).get(0);
    assertEquals("arm64", armNode.path("Architecture").asText());
    assertEquals(arm.id().toString(), armNode.path("Id").asText());
    JsonNode hostNode = OciJson.mapper().readTree(ok("inspect", "example.com/multi:1")
        .stdout()).get(0);
    assertEquals(Platform.host().architecture(), hostNode.path("Architecture").asText());
    Out none = jbuild("inspect", "--platform", "linux/s390x", "example.com/multi:1");
    assertEquals(1, none.code(), none.stdout() + none.stderr());
    assertTrue(none.stderr().contains("No such image: example.com/multi:1"), none.stderr());
  }

  @Test
  void save_writesThePickedPlatform() throws Exception {
    Path tar = tmp.resolve("arm.tar");
    ok("save", "--platform", "linux/arm64", "-o", tar.toString(), "example.com/multi:1");
    String names = new String(Files.readAllBytes(tar), StandardCharsets.ISO_8859_1);
    assertTrue(names.contains(arm.id().hex()), "the arm64 config is in the archive");
    assertFalse(names.contains(amd.id().hex()));
  }

  @Test
  void saveOci_writesTheWholeIndex_skopeoReadsEveryPlatform_loadRoundTrips() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo not installed");
    Path tar = tmp.resolve("multi.tar");
    ok("save", "--format", "oci", "-o", tar.toString(), "example.com/multi:1");
    byte[] stored = LayerStore.open(root).content().readAll(index.digest());
    // index.json names the index itself (as buildx's OCI exporter), tagged with its tag.
    assertEquals(new String(stored, StandardCharsets.UTF_8),
        skopeo("inspect", "--raw", "oci-archive:" + tar + ":1"));
    for (Image image : List.of(amd, arm)) {
      JsonNode config = OciJson.mapper().readTree(skopeo("inspect", "--config",
          "--override-arch", image.config().architecture(), "oci-archive:" + tar + ":1"));
      assertEquals(image.config().architecture(), config.path("architecture").asText());
      assertEquals(image.layers().get(0).diffId().toString(),
          config.path("rootfs").path("diff_ids").get(0).asText());
    }
    // load of the archive stores this machine's image, as it does for any index.
    Path other = tmp.resolve("other");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"--root", other.toString(), "load", "-i",
        tar.toString()}, new PrintWriter(out), new PrintWriter(err));
    assertEquals(0, code, out + "\n" + err);
    Image host = Platform.host().architecture().equals("arm64") ? arm : amd;
    assertEquals(host.id(), LayerStore.open(other).images()
        .resolve(ImageReference.parse("example.com/multi:1")).map(d -> {
          try {
            return LayerStore.open(other).images().load(d.digest()).id();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }).orElseThrow());
  }

  @Test
  void buildOutputOci_ofTwoPlatforms_holdsTheIndex() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo not installed");
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("Dockerfile"), "FROM example.com/multi:1\n"
        + "COPY hello.txt /\n");
    Files.writeString(context.resolve("hello.txt"), "hello\n");
    Path tar = tmp.resolve("built.tar");
    ok("build", "--progress", "plain", "--platform", "linux/amd64,linux/arm64", "-t",
        "example.com/app:2", "-o", "type=oci,dest=" + tar, context.toString());
    Descriptor built = LayerStore.open(root).images()
        .resolve(ImageReference.parse("example.com/app:2")).orElseThrow();
    JsonNode raw = OciJson.mapper().readTree(skopeo("inspect", "--raw",
        "oci-archive:" + tar + ":2"));
    assertEquals(MediaTypes.OCI_INDEX, raw.path("mediaType").asText());
    assertEquals(2, raw.path("manifests").size());
    assertEquals(new String(LayerStore.open(root).content().readAll(built.digest()),
        StandardCharsets.UTF_8), skopeo("inspect", "--raw", "oci-archive:" + tar + ":2"));
  }

  @Test
  void saveOci_withPlatform_andDockerFormat_holdOnePlatform() throws Exception {
    Path oci = tmp.resolve("arm-oci.tar");
    ok("save", "--format", "oci", "--platform", "linux/arm64", "-o", oci.toString(),
        "example.com/multi:1");
    String names = new String(Files.readAllBytes(oci), StandardCharsets.ISO_8859_1);
    assertTrue(names.contains(arm.id().hex()));
    assertFalse(names.contains(amd.id().hex()));
    assertFalse(names.contains(index.digest().hex()), "no index in a one-platform archive");
    Path docker = tmp.resolve("host.tar");
    ok("save", "-o", docker.toString(), "example.com/multi:1");
    String dockerNames = new String(Files.readAllBytes(docker), StandardCharsets.ISO_8859_1);
    Image host = Platform.host().architecture().equals("arm64") ? arm : amd;
    Image foreign = host == arm ? amd : arm;
    assertTrue(dockerNames.contains(host.id().hex()));
    assertFalse(dockerNames.contains(foreign.id().hex()));
  }

  @Test
  void saveOci_ofAnIndexWithOtherImages_isRefusedInOneLine() throws Exception {
    Path tar = tmp.resolve("two.tar");
    Out o = jbuild("save", "--format", "oci", "-o", tar.toString(), "example.com/multi:1",
        amd.id().toString());
    assertEquals(1, o.code(), o.stdout() + o.stderr());
    assertTrue(o.stderr().contains("takes it alone"), o.stderr());
    assertEquals(1, o.stderr().strip().lines().count(), o.stderr());
    assertFalse(Files.exists(tar));
  }

  private static String skopeo(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    return output;
  }

  @Test
  void tag_namesTheWholeIndex() throws Exception {
    ok("tag", "example.com/multi:1", "example.com/multi:2");
    assertEquals(index.digest(), LayerStore.open(root).images()
        .resolve(ImageReference.parse("example.com/multi:2")).orElseThrow().digest());
  }

  @Test
  void rmi_ofAnIndexTag_keepsImagesAnotherTagNames() throws Exception {
    ok("tag", "example.com/multi:1", "example.com/multi:2");
    assertEquals("Untagged: example.com/multi:1\n", ok("rmi", "example.com/multi:1").stdout());
    LayerStore store = LayerStore.open(root);
    assertEquals(arm.id(), store.images().load(arm.manifestDigest()).id());
    assertEquals(amd.id(), store.images().load(amd.manifestDigest()).id());
    assertEquals(arm.id().toString(), OciJson.mapper().readTree(ok("inspect", "--platform",
        "linux/arm64", "example.com/multi:2").stdout()).get(0).path("Id").asText());
  }
}
