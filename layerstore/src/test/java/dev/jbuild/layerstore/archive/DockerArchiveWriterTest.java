package dev.jbuild.layerstore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.hash.DigestMismatchException;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link DockerArchiveWriter} and {@link RootfsImporter}, with skopeo as an oracle. */
class DockerArchiveWriterTest {
  @TempDir Path tmp;
  private LayerStore store;
  private Image image;
  private final ImageReference ref = ImageReference.parse("jbuild/busybox:1.0");

  @BeforeEach
  void importBusybox() throws IOException {
    store = LayerStore.open(tmp.resolve("store"));
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs/bin"));
    // A real busybox when installed (as on the project machines), else a stand-in file.
    Path busybox = Path.of("/bin/busybox");
    if (Files.isRegularFile(busybox)) {
      Files.copy(busybox, rootfs.resolve("busybox"));
    } else {
      Files.writeString(rootfs.resolve("busybox"), "#!stand-in");
    }
    Files.createSymbolicLink(rootfs.resolve("sh"), Path.of("busybox"));
    Files.createDirectories(tmp.resolve("rootfs/tmp"));
    image = new RootfsImporter(store).importRootfs(tmp.resolve("rootfs"),
        Platform.parse("linux/amd64"), "jbuild import busybox");
  }

  private Map<String, byte[]> entries(byte[] archive) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(
        new java.io.ByteArrayInputStream(archive))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        assertEquals(0, e.getLastModifiedDate().getTime());
        entries.put(e.getName(), in.readAllBytes());
      }
    }
    return entries;
  }

  @Test
  void importer_makesOneLayerImage() {
    assertEquals(1, image.layers().size());
    assertEquals("jbuild import busybox", image.config().history().get(0).createdBy());
    assertEquals("amd64", image.config().architecture());
  }

  @Test
  void archive_hasCombinedLayout_andIsDeterministic() throws IOException {
    DockerArchiveWriter writer = new DockerArchiveWriter(store.content());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out, List.of(new ArchiveImage(image, List.of(ref))));
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    writer.write(again, List.of(new ArchiveImage(image, List.of(ref))));
    assertArrayEquals(out.toByteArray(), again.toByteArray());

    Map<String, byte[]> entries = entries(out.toByteArray());
    String layer = "blobs/sha256/" + image.layers().get(0).blob().digest().hex();
    String config = "blobs/sha256/" + image.id().hex();
    JsonNode index = OciJson.mapper().readTree(entries.get("index.json"));
    JsonNode entry = index.get("manifests").get(0);
    assertEquals(MediaTypes.OCI_MANIFEST, entry.get("mediaType").asText());
    String manifest = "blobs/sha256/" + Digest.parse(entry.get("digest").asText()).hex();
    JsonNode ociManifest = OciJson.mapper().readTree(entries.get(manifest));
    assertEquals(image.id().toString(), ociManifest.get("config").get("digest").asText());
    assertEquals(MediaTypes.OCI_LAYER_GZIP, ociManifest.get("layers").get(0).get("mediaType")
        .asText());
    assertEquals(List.of("oci-layout", "index.json", "manifest.json", "repositories", "blobs/",
        "blobs/sha256/"), new ArrayList<>(entries.keySet()).subList(0, 6));
    for (String blob : List.of(layer, config, manifest)) {
      assertEquals(blob.substring("blobs/sha256/".length()),
          Digest.sha256(entries.get(blob)).hex());
    }
    JsonNode dockerManifest = OciJson.mapper().readTree(entries.get("manifest.json"));
    assertEquals(config, dockerManifest.get(0).get("Config").asText());
    assertEquals("jbuild/busybox:1.0", dockerManifest.get(0).get("RepoTags").get(0).asText());
    assertEquals(layer, dockerManifest.get(0).get("Layers").get(0).asText());
    assertEquals("docker.io/jbuild/busybox:1.0",
        entry.get("annotations").get("io.containerd.image.name").asText());
    assertEquals("1.0", entry.get("annotations").get("org.opencontainers.image.ref.name").asText());
    JsonNode repositories = OciJson.mapper().readTree(entries.get("repositories"));
    assertTrue(repositories.get("jbuild/busybox").has("1.0"));
  }

  @Test
  void archive_corruptBlob_failsInsteadOfExporting() throws IOException {
    Path blob = store.content().pathOf(image.id());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[0] ^= 1;
    Files.write(blob, bytes);
    assertThrows(DigestMismatchException.class, () -> new DockerArchiveWriter(store.content())
        .write(OutputStream.nullOutputStream(), List.of(new ArchiveImage(image, List.of(ref)))));
  }

  private static String skopeo(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    return output;
  }

  @Test
  void skopeo_readsArchiveAsDockerAndOci() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo not installed");
    Path file = tmp.resolve("image.tar");
    try (OutputStream out = Files.newOutputStream(file)) {
      new DockerArchiveWriter(store.content()).write(out,
          List.of(new ArchiveImage(image, List.of(ref))));
    }
    String layerDigest = image.layers().get(0).blob().digest().toString();

    JsonNode docker = OciJson.mapper().readTree(skopeo("inspect", "docker-archive:" + file));
    // containers/image's docker-archive source names layers by DiffID (it pairs the files in
    // manifest.json with rootfs.diff_ids, decompressing them to check).
    assertEquals(image.layers().get(0).diffId().toString(), docker.get("Layers").get(0).asText());
    assertEquals("amd64", docker.get("Architecture").asText());
    // docker-archive re-serializes the manifest, so compare the config it reports instead.
    JsonNode dockerConfig = OciJson.mapper().readTree(
        skopeo("inspect", "--raw", "--config", "docker-archive:" + file));
    assertEquals(image.layers().get(0).diffId().toString(),
        dockerConfig.get("rootfs").get("diff_ids").get(0).asText());

    JsonNode oci = OciJson.mapper().readTree(skopeo("inspect", "oci-archive:" + file + ":1.0"));
    assertEquals(MediaTypes.OCI_MANIFEST,
        OciJson.mapper().readTree(skopeo("inspect", "--raw", "oci-archive:" + file + ":1.0"))
            .get("mediaType").asText());
    assertEquals(layerDigest, oci.get("Layers").get(0).asText());
    String rawConfig = skopeo("inspect", "--raw", "--config", "oci-archive:" + file + ":1.0");
    // skopeo prints the bytes followed by a newline.
    String configBytes = rawConfig.endsWith("\n")
        ? rawConfig.substring(0, rawConfig.length() - 1) : rawConfig;
    assertEquals(image.id(), Digest.sha256(configBytes.getBytes(StandardCharsets.UTF_8)));
  }
}
