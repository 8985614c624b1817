package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.DockerArchiveWriter;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on {@code save --format oci} (and the writer behind {@code -o type=oci}) with a stored
 * image index that lies: entries whose size, media type or digest do not match what is stored,
 * entries that name no manifest or the index itself, digests shaped like paths, a tampered
 * index blob. Each is refused in one line, and nothing is written: no archive, no temp file,
 * nothing outside the output's directory.
 */
class HostileIndexSaveTest {
  @TempDir Path tmp;
  private Path root;
  private LayerStore store;
  private Image amd;
  private Image arm;
  private Path outDir;

  @BeforeEach
  void store() throws Exception {
    root = tmp.resolve("store");
    store = LayerStore.open(root);
    List<Image> images = new ArrayList<>();
    for (String p : List.of("linux/amd64", "linux/arm64")) {
      Path rootfs = Files.createDirectories(tmp.resolve(p.replace('/', '_') + "/etc"));
      Files.writeString(rootfs.resolve("arch"), p + "\n");
      images.add(new RootfsImporter(store).importRootfs(rootfs.getParent(), Platform.parse(p),
          "test"));
    }
    amd = images.get(0);
    arm = images.get(1);
    outDir = Files.createDirectories(tmp.resolve("out/inner"));
  }

  private static Descriptor entry(Image image, String platform) {
    Descriptor m = image.manifestDescriptor();
    return new Descriptor(m.mediaType(), m.digest(), m.size(), Map.of(),
        Platform.parse(platform));
  }

  /** Stores {@code bytes} as an OCI index tagged {@code example.com/evil:1}. */
  private Descriptor tagIndex(byte[] bytes) throws IOException {
    Descriptor index = store.content().put(MediaTypes.OCI_INDEX, bytes);
    store.images().tag(ImageReference.parse("example.com/evil:1"), index);
    return index;
  }

  private Descriptor tagIndex(List<Descriptor> entries) throws IOException {
    return tagIndex(OciJson.toBytes(ImageIndex.oci(entries)));
  }

  /** Runs {@code save --format oci} and checks the refusal: exit 1, one line, nothing written. */
  private String refusedSave() throws IOException {
    Path tar = outDir.resolve("evil.tar");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"--root", root.toString(), "save", "--format", "oci",
        "-o", tar.toString(), "example.com/evil:1"}, new PrintWriter(out), new PrintWriter(err));
    assertEquals(1, code, out + "\n" + err);
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    try (Stream<Path> all = Files.walk(tmp.resolve("out"))) {
      assertEquals(List.of(tmp.resolve("out"), outDir), all.sorted().toList(),
          "nothing written, not even a temp file");
    }
    return err.toString();
  }

  @Test
  void entryWhoseSizeLies_isRefused() throws Exception {
    Descriptor real = entry(arm, "linux/arm64");
    tagIndex(List.of(entry(amd, "linux/amd64"), new Descriptor(real.mediaType(), real.digest(),
        real.size() + 100, Map.of(), real.platform())));
    String err = refusedSave();
    assertTrue(err.contains("its entry " + arm.manifestDigest() + " says"), err);
  }

  @Test
  void entryWhoseMediaTypeLies_isRefused() throws Exception {
    Descriptor real = entry(arm, "linux/arm64");
    tagIndex(List.of(entry(amd, "linux/amd64"), new Descriptor(MediaTypes.OCI_MANIFEST,
        real.digest(), real.size(), Map.of(), real.platform())));
    String err = refusedSave();
    assertTrue(err.contains("the stored manifest is " + real.mediaType()), err);
  }

  @Test
  void entryNamingAConfigOrALayer_isRefused() throws Exception {
    tagIndex(List.of(entry(amd, "linux/amd64"), new Descriptor(MediaTypes.DOCKER_MANIFEST,
        arm.id(), arm.configDescriptor().size(), Map.of(), Platform.parse("linux/arm64"))));
    assertTrue(refusedSave().contains(arm.id().toString()));
    Descriptor layer = arm.manifest().layers().get(0);
    tagIndex(List.of(new Descriptor(MediaTypes.DOCKER_MANIFEST, layer.digest(), layer.size(),
        Map.of(), Platform.parse("linux/arm64"))));
    assertTrue(refusedSave().contains(layer.digest().toString()));
  }

  @Test
  void entryNamingTheIndexItself_isRefused_withoutLooping() throws Exception {
    // An index cannot name its own digest, but it can name another index that names it back:
    // inner lists amd64; outer lists amd64 and inner (as a manifest).
    Descriptor inner = tagIndex(List.of(entry(amd, "linux/amd64")));
    tagIndex(List.of(entry(amd, "linux/amd64"), new Descriptor(MediaTypes.DOCKER_MANIFEST,
        inner.digest(), inner.size(), Map.of(), Platform.parse("linux/arm64"))));
    assertTrue(refusedSave().contains(inner.digest().toString()));
  }

  @Test
  void entryDigestShapedLikeAPath_isRefused() throws Exception {
    for (String digest : List.of("sha256:../../../../../out/pwned", "../../x:"
        + "a".repeat(64), "sha256:" + "A".repeat(64))) {
      tagIndex(("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
          + "\",\"manifests\":[{\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST
          + "\",\"digest\":\"" + digest + "\",\"size\":1,\"platform\":{\"architecture\":"
          + "\"amd64\",\"os\":\"linux\"}}]}").getBytes(StandardCharsets.UTF_8));
      String err = refusedSave();
      assertTrue(err.contains("not a valid image index"), err);
    }
    assertTrue(Files.notExists(tmp.resolve("out/pwned")));
  }

  @Test
  void entryForAMissingManifest_isRefused() throws Exception {
    Digest ghost = Digest.sha256("ghost");
    tagIndex(List.of(entry(amd, "linux/amd64"), new Descriptor(MediaTypes.DOCKER_MANIFEST, ghost,
        5, Map.of(), Platform.parse("linux/arm64"))));
    assertTrue(refusedSave().contains(ghost.toString()));
  }

  @Test
  void tamperedIndexBlob_isRefused() throws Exception {
    Descriptor index = tagIndex(List.of(entry(amd, "linux/amd64"), entry(arm, "linux/arm64")));
    // Same length, one entry swapped: only the digest check can tell.
    Path blob = store.content().pathOf(index.digest());
    String text = Files.readString(blob);
    blob.toFile().setWritable(true);
    Files.writeString(blob, text.replace("arm64", "armXX"));
    assertTrue(refusedSave().contains(index.digest().toString()));
  }

  @Test
  void writer_refusesImagesTheIndexDoesNotList_andAnIndexThatIsNoIndex() throws Exception {
    Descriptor index = tagIndex(List.of(entry(amd, "linux/amd64")));
    DockerArchiveWriter writer = new DockerArchiveWriter(store.content());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    IOException extra = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> writer.writeIndex(out, index, List.of(amd, arm), List.of()));
    assertTrue(extra.getMessage().contains("does not list every image"), extra.getMessage());
    IOException notIndex = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> writer.writeIndex(out, amd.manifestDescriptor(), List.of(amd), List.of()));
    assertTrue(notIndex.getMessage().contains("not an image index"), notIndex.getMessage());
    assertEquals(0, out.size(), "nothing written");
  }

  @Test
  void honestIndex_stillSaves() throws Exception {
    tagIndex(List.of(entry(amd, "linux/amd64"), entry(arm, "linux/arm64")));
    Path tar = outDir.resolve("ok.tar");
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"--root", root.toString(), "save", "--format", "oci",
        "-o", tar.toString(), "example.com/evil:1"}, new PrintWriter(new StringWriter()),
        new PrintWriter(err));
    assertEquals(0, code, err.toString());
    assertTrue(Files.size(tar) > 0);
  }
}
