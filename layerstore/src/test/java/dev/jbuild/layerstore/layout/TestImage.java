package dev.jbuild.layerstore.layout;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A one-layer image for the host platform as the blobs of an OCI layout, written as a directory
 * or as an OCI archive, with hooks to make it lie. Test fixture.
 */
public final class TestImage {
  public final byte[] layer;
  public final byte[] config;
  public final byte[] manifest;
  public final Descriptor layerDescriptor;
  public final Descriptor manifestDescriptor;
  /** Every blob by digest, in write order; tests may add or replace blobs. */
  public final Map<Digest, byte[]> blobs = new LinkedHashMap<>();

  /** The image, its layer descriptor claiming {@code layerSizeDelta} more bytes than it has. */
  public TestImage(long layerSizeDelta) throws IOException {
    layer = tar("hello", "hi\n");
    Digest layerDigest = Digest.sha256(layer);
    ImageConfig c = ImageConfig.scratch(Platform.host());
    c = new ImageConfig(c.created(), c.author(), c.architecture(), c.os(), c.variant(),
        c.config(), new ImageConfig.RootFs("layers", List.of(layerDigest)), c.history());
    config = OciJson.toBytes(c);
    Descriptor configD = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config),
        config.length);
    layerDescriptor = Descriptor.of(MediaTypes.OCI_LAYER_TAR, layerDigest,
        layer.length + layerSizeDelta);
    manifest = OciJson.toBytes(new ImageManifest(2, MediaTypes.OCI_MANIFEST, configD,
        List.of(layerDescriptor), Map.of()));
    manifestDescriptor = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest),
        manifest.length);
    for (byte[] blob : List.of(layer, config, manifest)) {
      blobs.put(Digest.sha256(blob), blob);
    }
  }

  /** {@code index.json} listing {@code entries}. */
  public static byte[] index(Descriptor... entries) {
    return OciJson.toBytes(ImageIndex.oci(List.of(entries)));
  }

  /** Writes the blobs and {@code index} as a layout directory {@code dir}. */
  public Path writeLayout(Path dir, byte[] index) throws IOException {
    Path blobDir = Files.createDirectories(dir.resolve("blobs/sha256"));
    for (Map.Entry<Digest, byte[]> b : blobs.entrySet()) {
      Files.write(blobDir.resolve(b.getKey().hex()), b.getValue());
    }
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.write(dir.resolve("index.json"), index);
    return dir;
  }

  /** The blobs and {@code index} as an uncompressed OCI archive. */
  public byte[] archive(byte[] index) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      file(w, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
      file(w, "index.json", index);
      for (Map.Entry<Digest, byte[]> b : blobs.entrySet()) {
        file(w, "blobs/sha256/" + b.getKey().hex(), b.getValue());
      }
    }
    return out.toByteArray();
  }

  /** A layer: a tar with one regular file. */
  public static byte[] tar(String name, String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      file(w, name, text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static void file(TarWriter w, String name, byte[] bytes) throws IOException {
    w.write(TarEntry.file(name, 0644, 0, 0, bytes.length, 0), new ByteArrayInputStream(bytes));
  }
}
