package dev.jbuild.layerstore.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.compress.ParallelGzipOutputStream;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.LayerSizes;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ArchiveLoader}: jbuild's own archives, classic docker-archives, corrupt input. */
class ArchiveLoaderTest {
  @TempDir Path tmp;
  private LayerStore source;
  private Image image;
  private final ImageReference ref = ImageReference.parse("example.com/team/app:2.0");

  @BeforeEach
  void build() throws IOException {
    source = LayerStore.open(tmp.resolve("source"));
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs/etc"));
    Files.writeString(rootfs.resolve("hostname"), "jbuild\n");
    Files.createSymbolicLink(rootfs.resolve("link"), Path.of("etc/hostname"));
    image = new RootfsImporter(source).importRootfs(tmp.resolve("rootfs"), Platform.host(),
        "test rootfs");
    source.images().tag(ref, image.manifestDescriptor());
  }

  private byte[] save(DockerArchiveWriter.Format format, boolean gzip) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OutputStream target = gzip ? new ParallelGzipOutputStream(out) : out;
    new DockerArchiveWriter(source.content()).write(target,
        List.of(new ArchiveImage(image, List.of(ref))), format);
    target.close();
    return out.toByteArray();
  }

  @Test
  void ownArchives_loadWithTheSameImageId_inEveryFormat() throws IOException {
    int n = 0;
    for (DockerArchiveWriter.Format format : DockerArchiveWriter.Format.values()) {
      for (boolean gzip : new boolean[] {false, true}) {
        LayerStore target = LayerStore.open(tmp.resolve("target" + n++));
        List<LoadedImage> loaded = new ArchiveLoader(target)
            .load(new ByteArrayInputStream(save(format, gzip)));
        assertEquals(1, loaded.size());
        assertEquals(image.id(), loaded.get(0).image().id(), format + " gzip=" + gzip);
        assertEquals(List.of(ref), loaded.get(0).tags());
        Image tagged = target.images().load(target.images().resolve(ref).orElseThrow().digest());
        assertEquals(image.id(), tagged.id());
        assertEquals(LayerSizes.imageSize(source.content(), image),
            LayerSizes.imageSize(target.content(), tagged));
        // Unpacks and verifies.
        Path dir = target.snapshots().prepare(tagged.layers()).absoluteLowerDirsTopFirst().get(0);
        assertEquals("jbuild\n", Files.readString(dir.resolve("etc/hostname")));
      }
    }
  }

  /** A docker save (pre-25) archive: manifest.json, repositories, config, v1 layer dirs. */
  private byte[] classic(boolean lieAboutDiffId) throws IOException {
    byte[] layerTar;
    try (var in = dev.jbuild.layerstore.tar.TarStreams.decompress(
        source.content().open(image.layers().get(0).blob()))) {
      layerTar = in.readAllBytes();
    }
    Digest diffId = lieAboutDiffId ? Digest.sha256("lie") : Digest.sha256(layerTar);
    ImageConfig config = new ImageConfig("2024-01-02T03:04:05Z", null, "amd64", "linux", null,
        image.config().config(), new ImageConfig.RootFs("layers", List.of(diffId, diffId)),
        List.of());
    // Docker writes its own JSON: keep odd spacing to prove the bytes are kept exactly.
    byte[] configBytes = new String(OciJson.toBytes(config), StandardCharsets.UTF_8)
        .replace(",", ", ").getBytes(StandardCharsets.UTF_8);
    String configName = Digest.sha256(configBytes).hex() + ".json";
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("aaa/VERSION", "1.0".getBytes(StandardCharsets.UTF_8));
    files.put("aaa/layer.tar", layerTar);
    files.put(configName, configBytes);
    files.put("manifest.json", ("[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"classic:v1\"],"
        + "\"Layers\":[\"aaa/layer.tar\",\"bbb/layer.tar\"]}]").getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        w.write(TarEntry.file(f.getKey(), 0644, 0, 0, f.getValue().length, 0),
            new ByteArrayInputStream(f.getValue()));
        if (f.getKey().equals("aaa/layer.tar")) {
          // Docker links a layer that appears twice instead of copying it.
          w.write(TarEntry.symlink("bbb/layer.tar", "../aaa/layer.tar", 0, 0, 0), null);
        }
      }
    }
    return out.toByteArray();
  }

  @Test
  void classicDockerArchive_keepsConfigBytes_compressesLayers() throws IOException {
    byte[] archive = classic(false);
    LayerStore target = LayerStore.open(tmp.resolve("classic"));
    LoadedImage loaded = new ArchiveLoader(target).load(new ByteArrayInputStream(archive)).get(0);
    byte[] configBytes = loaded.image().configBytes();
    assertEquals(Digest.sha256(configBytes), loaded.image().id());
    assertTrue(new String(configBytes, StandardCharsets.UTF_8).contains(", "));
    assertEquals(List.of(ImageReference.parse("classic:v1")), loaded.tags());
    assertEquals(MediaTypes.DOCKER_MANIFEST, loaded.image().manifest().mediaType());
    assertEquals(MediaTypes.DOCKER_LAYER_GZIP,
        loaded.image().manifest().layers().get(0).mediaType());
    assertEquals(2, loaded.image().layers().size());
    target.snapshots().prepare(loaded.image().layers());
  }

  @Test
  void wrongDiffIdOrCorruptBlob_isRefusedAndNothingIsTagged() throws IOException {
    LayerStore target = LayerStore.open(tmp.resolve("bad"));
    IOException e = assertThrows(IOException.class,
        () -> new ArchiveLoader(target).load(new ByteArrayInputStream(classic(true))));
    assertTrue(e.getMessage().contains("DiffID"), e.getMessage());
    // Flip one byte inside the layer blob of an OCI archive.
    byte[] archive = save(DockerArchiveWriter.Format.OCI, false);
    String hex = image.layers().get(0).blob().digest().hex();
    int at = indexOf(archive, ("blobs/sha256/" + hex).getBytes(StandardCharsets.US_ASCII));
    archive[at + 512 + 100] ^= 1;
    // (A fresh store: one that has the blob already skips the archive's copy unread.)
    LayerStore fresh = LayerStore.open(tmp.resolve("fresh"));
    IOException corrupt = assertThrows(IOException.class,
        () -> new ArchiveLoader(fresh).load(new ByteArrayInputStream(archive)));
    assertTrue(corrupt.getMessage().contains("does not match"), corrupt.getMessage());
    assertTrue(target.images().list().isEmpty());
    assertTrue(fresh.images().list().isEmpty());
    assertTrue(!fresh.content().contains(image.layers().get(0).blob().digest()));
  }

  @Test
  void notAnArchive_isAClearError() {
    IOException e = assertThrows(IOException.class, () -> new ArchiveLoader(
        LayerStore.open(tmp.resolve("x"))).load(new ByteArrayInputStream(new byte[0])));
    assertTrue(e.getMessage().startsWith("Tried to load"), e.getMessage());
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
