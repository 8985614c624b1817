package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.RepoDigests;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image commands in-process on a real store (no root needed): output shapes and wording as
 * docker prints them, exit codes, and what they do to the store.
 */
class ImageCommandsTest {
  @TempDir Path tmp;
  private Path root;
  private Image image;

  /** One command's outcome. */
  record Out(int code, String stdout, String stderr) {}

  private Out jbuild(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "--root";
    all[1] = root.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int code = Main.execute(all, new PrintWriter(out), new PrintWriter(err));
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
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs/etc"));
    Files.writeString(rootfs.resolve("os-release"), "ID=test\n"); // 8 bytes
    Files.createSymbolicLink(rootfs.resolve("link"), Path.of("etc/os-release")); // 14 bytes
    image = new RootfsImporter(LayerStore.open(root)).importRootfs(tmp.resolve("rootfs"),
        Platform.parse("linux/amd64"), "test rootfs");
    ok("tag", image.id().toString(), "example.com/a/b:1");
  }

  @Test
  void images_tableQuietDigests() {
    String short12 = image.id().shortHex();
    Out table = ok("images");
    assertEquals("REPOSITORY        TAG   IMAGE ID       CREATED   SIZE\n"
        + "example.com/a/b   1     " + short12 + "   N/A       22B\n", table.stdout());
    assertEquals(short12 + "\n", ok("images", "-q").stdout());
    assertEquals(image.id() + "\n", ok("images", "-q", "--no-trunc").stdout());
    // Never pushed or pulled: no repo digest, as docker shows it.
    assertTrue(ok("images", "--digests").stdout().contains("   <none>   "),
        ok("images", "--digests").stdout());
    assertEquals("", ok("images", "-q", "other/repo").stdout());
    assertEquals(short12 + "\n", ok("images", "-q", "example.com/a/b").stdout());
    assertEquals(short12 + "\n", ok("images", "-q", "--filter", "reference=example.com/*/*")
        .stdout());
    assertEquals("", ok("images", "-q", "--filter", "dangling=true").stdout());
  }

  @Test
  void untaggedImages_areListedAsNone_andPrunable() throws Exception {
    // Imported without a name (like a build without -t): an image until pruned.
    Files.writeString(tmp.resolve("rootfs/extra"), "extra");
    String id = ok("import", tmp.resolve("rootfs").toString()).stdout().strip();
    Out images = ok("images");
    assertTrue(images.stdout().contains("<none>            <none>   " + id.substring(7, 19)),
        images.stdout());
    assertEquals(id.substring(7, 19) + "\n", ok("images", "-q", "-f", "dangling=true").stdout());
    assertEquals("1\n", ok("inspect", "-f", "{{len .RootFS.Layers}}", id.substring(7, 15))
        .stdout());
    Out prune = ok("prune");
    assertTrue(prune.stdout().startsWith("Deleted Images:\ndeleted: " + id), prune.stdout());
    assertEquals(image.id().shortHex() + "\n", ok("images", "-q").stdout());
    ok("rmi", "example.com/a/b:1");
    ok("prune");
    assertTrue(ok("verify").stdout().contains("Store is clean: 0 blobs"));
  }

  @Test
  void rmi_wording_andConflicts() {
    ok("tag", "example.com/a/b:1", "other:2");
    Out conflict = jbuild("rmi", image.id().shortHex());
    assertEquals(1, conflict.code());
    assertEquals("error: conflict: unable to delete " + image.id().shortHex()
        + " (must be forced) - image is referenced in multiple repositories\n",
        conflict.stderr());
    assertEquals("Untagged: other:2\n", ok("rmi", "other:2").stdout());
    assertEquals("Untagged: example.com/a/b:1\nDeleted: " + image.id() + "\n",
        ok("rmi", "example.com/a/b:1").stdout());
    Out missing = jbuild("rmi", "nope");
    assertEquals(1, missing.code());
    assertEquals("error: No such image: nope\n", missing.stderr());
    Out gone = jbuild("tag", image.id().shortHex(), "x:1");
    assertEquals(1, gone.code());
    assertEquals("error: No such image: " + image.id().shortHex() + "\n", gone.stderr());
  }

  @Test
  void inspect_dockerShape_andTemplates() throws Exception {
    Out out = ok("inspect", "example.com/a/b:1");
    JsonNode array = OciJson.mapper().readTree(out.stdout());
    assertEquals(1, array.size());
    JsonNode node = array.get(0);
    assertEquals(image.id().toString(), node.get("Id").asText());
    assertEquals("example.com/a/b:1", node.get("RepoTags").get(0).asText());
    assertEquals(0, node.get("RepoDigests").size(), "never pushed or pulled: no repo digest");
    assertEquals("amd64", node.get("Architecture").asText());
    assertEquals("linux", node.get("Os").asText());
    assertEquals(22, node.get("Size").asLong());
    assertEquals("layers", node.get("RootFS").get("Type").asText());
    assertTrue(node.get("Config").get("Env").get(0).asText().startsWith("PATH="));
    assertTrue(out.stdout().startsWith("[\n    {\n        \"Id\": \"sha256:"), out.stdout());
    assertEquals(image.id() + " linux 1\n",
        ok("inspect", "-f", "{{.Id}} {{.Os}} {{len .RootFS.Layers}}", "example.com/a/b:1")
            .stdout());
    assertEquals("[\"" + image.config().rootfs().diffIds().get(0) + "\"]\n",
        ok("inspect", "-f", "{{json .RootFS.Layers}}", image.id().shortHex()).stdout());
  }

  @Test
  void inspect_goTemplates_asDocker() {
    assertEquals("<example.com/a/b:1>\n", ok("inspect", "-f",
        "{{range .RepoTags}}<{{.}}>{{end}}", "example.com/a/b:1").stdout());
    assertEquals("[] map[] <no value> <nil>\n", ok("inspect", "-f",
        "{{.Config.Entrypoint}} {{.Config.Labels}} {{.Config.Labels.x}} {{.Config.Healthcheck}}",
        "example.com/a/b:1").stdout());
    assertEquals("LINUX/amd64 1\n", ok("inspect", "-f",
        "{{printf \"%s/%s\" (upper .Os) .Architecture}} {{len .RootFS.Layers}}",
        "example.com/a/b:1").stdout());
    assertEquals("{\"Type\":\"layers\",\"Layers\":[\"" + image.config().rootfs().diffIds().get(0)
        + "\"]}\n", ok("inspect", "-f", "{{json .RootFS}}", "example.com/a/b:1").stdout());
    // The usual CI idiom gets the digest a registry gave the image (recorded on push or pull).
    assertEquals(1, jbuild("inspect", "-f", "{{index .RepoDigests 0}}", "example.com/a/b:1")
        .code());
    Digest pushed = Digest.sha256("the manifest as pushed".getBytes(StandardCharsets.UTF_8));
    try {
      new RepoDigests(root).record(image.manifestDigest(), "example.com/a/b", pushed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals("example.com/a/b@" + pushed + "\n", ok("inspect", "-f",
        "{{index .RepoDigests 0}}", "example.com/a/b:1").stdout());
    assertTrue(ok("images", "--digests").stdout().contains("   " + pushed + "   "));

    Out unknownField = jbuild("inspect", "-f", "{{.Nope}}", "example.com/a/b:1");
    assertEquals(1, unknownField.code());
    assertEquals("", unknownField.stdout());
    assertEquals("error: template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in"
        + " type types.ImageInspect\n", unknownField.stderr());
    Out unknownFunction = jbuild("inspect", "-f", "{{nope .Id}}", "example.com/a/b:1");
    assertEquals(2, unknownFunction.code());
    assertEquals("error: template parsing error: template: :1: function \"nope\" not defined\n",
        unknownFunction.stderr());
    Out outOfRange = jbuild("inspect", "-f", "{{index .Config.Entrypoint 0}}",
        "example.com/a/b:1");
    assertEquals(1, outOfRange.code());
    assertTrue(outOfRange.stderr().contains("error calling index: index out of range: 0"),
        outOfRange.stderr());
  }

  @Test
  void inspect_created_asGoWritesIt() {
    assertEquals("2026-12-02T02:47:53.93289942Z",
        InspectCommand.rfc3339Nano("2026-12-02T02:47:53.932899420Z"));
    assertEquals("2026-12-02T02:47:53Z", InspectCommand.rfc3339Nano("2026-12-02T02:47:53.000Z"));
    assertEquals("2026-12-02T02:47:53+01:00",
        InspectCommand.rfc3339Nano("2026-12-02T02:47:53+01:00"));
    assertEquals("2026-12-02T02:47:53.5+01:00",
        InspectCommand.rfc3339Nano("2026-12-02T02:47:53.50+01:00"));
    assertEquals("1970-01-01T00:00:00Z", InspectCommand.rfc3339Nano("1970-01-01T00:00:00Z"));
  }

  @Test
  void images_format_tableAndJson() {
    String id = image.id().shortHex();
    assertEquals("example.com/a/b:1 " + id + "\n",
        ok("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").stdout());
    assertEquals("REPOSITORY        TAG\nexample.com/a/b   1\n",
        ok("images", "--format", "table {{.Repository}}\\t{{.Tag}}").stdout());
    String json = ok("images", "--format", "{{json .}}").stdout();
    assertTrue(json.startsWith("{\"Containers\":\"N/A\",\"CreatedAt\":"), json);
    assertTrue(json.contains("\"ID\":\"" + id + "\",\"Repository\":\"example.com/a/b\""), json);
    Out bad = jbuild("images", "--format", "{{.Nope}}");
    assertEquals(1, bad.code());
    assertTrue(bad.stderr().startsWith("error: template: :1:2: executing \"\" at <.Nope>:"
        + " can't evaluate field Nope"), bad.stderr());
    assertEquals(2, jbuild("ps", "-a", "--format", "{{.ID}").code());
    assertEquals("", ok("ps", "-a", "--format", "{{.ID}}").stdout());
  }

  @Test
  void history_rowsNewestFirst() {
    Out out = ok("history", "example.com/a/b:1");
    String[] lines = out.stdout().split("\n");
    assertEquals("IMAGE          CREATED   CREATED BY    SIZE   COMMENT", lines[0]);
    assertTrue(lines[1].startsWith(image.id().shortHex() + "   N/A       test rootfs   22B"),
        lines[1]);
    assertEquals(image.id().shortHex() + "\n", ok("history", "-q", "example.com/a/b:1").stdout());
  }

  @Test
  void history_formatAndNotHuman_asDockersHistoryFormatter() {
    String id = image.id().shortHex();
    assertEquals(id + "|test rootfs|22B|\n",
        ok("history", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}",
            "example.com/a/b:1").stdout());
    // -H=false: bytes, and RFC 3339 times (the imported layer has none: 0 seconds, as docker).
    assertEquals(id + "   1970-01-01T00:00:00Z   test rootfs   22\n",
        ok("history", "-H=false", "--format", "table {{.ID}}\\t{{.CreatedSince}}\\t"
            + "{{.CreatedBy}}\\t{{.Size}}", "example.com/a/b:1").stdout().lines().skip(1)
            .findFirst().orElseThrow() + "\n");
    assertEquals("IMAGE          CREATED AT             CREATED BY    SIZE",
        ok("history", "-H=false", "--format", "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}"
            + "\t{{.Size}}", "example.com/a/b:1").stdout().lines().findFirst().orElseThrow());
    assertEquals("{\"Comment\":\"\",\"CreatedAt\":\"1970-01-01T00:00:00Z\",\"CreatedBy\":"
        + "\"test rootfs\",\"CreatedSince\":\"N/A\",\"ID\":\"" + image.id() + "\",\"Size\":\"22B\"}\n",
        ok("history", "--no-trunc", "--format", "json", "example.com/a/b:1").stdout());
    Out bad = jbuild("history", "--format", "{{.Nope}}", "example.com/a/b:1");
    assertEquals(1, bad.code());
    assertEquals(1, bad.stderr().lines().count(), bad.stderr());
    assertEquals(2, jbuild("history", "--format", "{{.ID", "example.com/a/b:1").code());
  }

  @Test
  void saveLoad_roundTripThroughFiles_andVerify() throws Exception {
    Path archive = tmp.resolve("a.tar");
    ok("save", "-o", archive.toString(), "example.com/a/b:1");
    root = tmp.resolve("other");
    assertEquals("Loaded image: example.com/a/b:1\n", ok("load", "-i", archive.toString())
        .stdout());
    Path oci = tmp.resolve("o.tar");
    ok("save", "--format", "oci", "-o", oci.toString(), "example.com/a/b:1");
    root = tmp.resolve("third");
    ok("load", "-q", "-i", oci.toString());
    assertEquals(image.id() + "\n", ok("inspect", "-f", "{{.Id}}", "example.com/a/b:1").stdout());
    assertTrue(ok("verify").stdout().contains("Store is clean"));
    Out bad = jbuild("load", "-i", tmp.resolve("missing.tar").toString());
    assertEquals(1, bad.code());
    assertTrue(bad.stderr().startsWith("error: open "), bad.stderr());
  }

  @Test
  void verify_reportsCorruption_andRepairFixesIt() throws Exception {
    Path blob = root.resolve("blobs/sha256").resolve(image.layers().get(0).blob().digest().hex());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length - 9] ^= 1;
    Files.write(blob, bytes);
    Out found = jbuild("verify");
    assertEquals(1, found.code());
    assertTrue(found.stdout().contains("problem: blob " + image.layers().get(0).blob().digest()
        + " is corrupt"), found.stdout());
    Out repaired = ok("verify", "--repair");
    assertTrue(repaired.stdout().contains("repaired: deleted corrupt blob"), repaired.stdout());
    assertTrue(ok("verify").stdout().contains("Store is clean"));
  }

  @Test
  void humanSizesAndTimes_likeDocker() {
    assertEquals("0B", ImagesCommand.human(0));
    assertEquals("999B", ImagesCommand.human(999));
    assertEquals("1.98MB", ImagesCommand.human(1_984_246));
    assertEquals("1.2GB", ImagesCommand.human(1_200_000_000));
    assertEquals("130kB", ImagesCommand.human(129_999));
    assertEquals("2 hours ago", ImagesCommand.ago(Instant.now().minusSeconds(7200)));
    assertEquals("3 days ago", ImagesCommand.ago(Instant.now().minusSeconds(3 * 86400 + 60)));
    assertEquals("N/A", ImagesCommand.ago(Instant.EPOCH));
  }
}
