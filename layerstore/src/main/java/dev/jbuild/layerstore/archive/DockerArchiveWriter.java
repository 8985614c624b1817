package dev.jbuild.layerstore.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarWriter;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes Docker's combined image archive (what {@code docker save} writes since Engine 25): an OCI
 * image layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/*}) that also carries
 * Docker's {@code manifest.json} and {@code repositories}, so it loads with {@code docker load}
 * (also Docker 20.10) and reads as both {@code docker-archive:} and {@code oci-archive:} in skopeo.
 *
 * <p>The OCI side lists OCI manifests: a stored Docker schema 2 manifest is rewritten for the
 * archive as the equivalent OCI manifest (same config and layer blobs, OCI media types), as
 * Docker 25 does, because OCI-layout readers such as skopeo 1.9 ignore index entries of Docker
 * media types. The image ID (config digest) is unchanged; the manifest digest in the archive is
 * that of the OCI manifest. Stored OCI manifests are copied byte for byte.
 *
 * <p>Each {@code index.json} entry carries {@code io.containerd.image.name} (the full reference)
 * and {@code org.opencontainers.image.ref.name} (the tag). Blobs are streamed from the content
 * store and verified while streaming, never buffered; a corrupt blob aborts the write. The output
 * is deterministic: fixed entry order, mtime 0, uid/gid 0. Thread-safe (stateless).
 */
public final class DockerArchiveWriter {
  private static final String CONTAINERD_NAME = "io.containerd.image.name";
  private static final String OCI_REF_NAME = "org.opencontainers.image.ref.name";

  private static final String FOREIGN_LAYER =
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
  private static final String NONDISTRIBUTABLE_LAYER =
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

  /** The archive layouts {@link #write(OutputStream, List, Format)} produces. */
  public enum Format {
    /** Docker's combined format: OCI layout plus {@code manifest.json} and {@code repositories}. */
    DOCKER,
    /**
     * A plain OCI image layout as a tar ({@code oci-archive:} in skopeo, {@code umoci} after
     * unpacking): {@code oci-layout}, {@code index.json}, {@code blobs/}. Index entries carry the
     * tag as {@code org.opencontainers.image.ref.name}.
     */
    OCI
  }

  private final ContentStore content;

  /** Writes archives of images whose blobs are in {@code content}. */
  public DockerArchiveWriter(ContentStore content) {
    this.content = content;
  }

  /**
   * Writes the archive to {@code out} (not closed; flushed).
   *
   * @throws IOException if a blob is missing or corrupt, or writing fails
   */
  public void write(OutputStream out, List<ArchiveImage> images) throws IOException {
    write(out, images, Format.DOCKER);
  }

  /**
   * Writes the archive in {@code format} to {@code out} (not closed; flushed).
   *
   * @throws IOException if a blob is missing or corrupt, or writing fails
   */
  public void write(OutputStream out, List<ArchiveImage> images, Format format)
      throws IOException {
    List<Descriptor> indexEntries = new ArrayList<>();
    List<Map<String, Object>> dockerManifest = new ArrayList<>();
    Map<String, Map<String, String>> repositories = new TreeMap<>();
    TreeMap<String, Descriptor> blobs = new TreeMap<>();
    Map<String, byte[]> inline = new TreeMap<>();
    for (ArchiveImage archived : images) {
      Image image = archived.image();
      Descriptor ociManifest = image.manifestDescriptor();
      if (MediaTypes.DOCKER_MANIFEST.equals(image.manifest().mediaType())) {
        byte[] bytes = OciJson.toBytes(toOci(image.manifest()));
        ociManifest = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(bytes), bytes.length);
        inline.put(ociManifest.digest().hex(), bytes);
      }
      blobs.put(ociManifest.digest().hex(), ociManifest);
      blobs.put(image.id().hex(), image.configDescriptor());
      List<String> layerPaths = new ArrayList<>();
      for (Descriptor layer : image.manifest().layers()) {
        blobs.put(layer.digest().hex(), layer);
        layerPaths.add(blobPath(layer));
      }
      List<String> repoTags = new ArrayList<>();
      Descriptor manifest = Descriptor.of(ociManifest.mediaType(), ociManifest.digest(),
          ociManifest.size());
      if (archived.tags().isEmpty()) {
        indexEntries.add(manifest);
      }
      for (ImageReference ref : archived.tags()) {
        if (ref.tag() == null) {
          continue;
        }
        ImageReference tagged = ref.withTag(ref.tag());
        repoTags.add(tagged.familiar());
        Map<String, String> annotations = new TreeMap<>();
        annotations.put(CONTAINERD_NAME, tagged.toString());
        annotations.put(OCI_REF_NAME, tagged.tag());
        indexEntries.add(manifest.withAnnotations(annotations));
        if (!image.manifest().layers().isEmpty()) {
          List<Descriptor> layers = image.manifest().layers();
          repositories.computeIfAbsent(tagged.familiarName(), k -> new TreeMap<>())
              .put(tagged.tag(), layers.get(layers.size() - 1).digest().hex());
        }
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("Config", blobPath(image.configDescriptor()));
      entry.put("RepoTags", repoTags);
      entry.put("Layers", layerPaths);
      dockerManifest.add(entry);
    }
    writeTar(out, indexEntries, dockerManifest, repositories, blobs, inline, format);
  }

  /**
   * Writes a plain OCI layout ({@link Format#OCI}) of a whole image index to {@code out} (not
   * closed; flushed): {@code index.json} names the index (tagged {@code tags}), as BuildKit's OCI
   * exporter does for a multi-platform build, and {@code blobs/} holds the index, every manifest
   * it lists (byte for byte, so the index's digests stay valid), their configs and layers.
   *
   * @param index the stored index's descriptor
   * @param images the images of every entry of the index
   * @throws IOException if a blob is missing or corrupt, if the index's entries are not exactly
   *     {@code images}' manifests (same media type, digest and size), or writing fails; nothing
   *     is written to {@code out} then
   */
  public void writeIndex(OutputStream out, Descriptor index, List<Image> images,
      List<ImageReference> tags) throws IOException {
    checkEntries(index, images);
    TreeMap<String, Descriptor> blobs = new TreeMap<>();
    blobs.put(index.digest().hex(), index);
    for (Image image : images) {
      blobs.put(image.manifestDescriptor().digest().hex(), image.manifestDescriptor());
      blobs.put(image.id().hex(), image.configDescriptor());
      for (Descriptor layer : image.manifest().layers()) {
        blobs.put(layer.digest().hex(), layer);
      }
    }
    Descriptor entry = Descriptor.of(index.mediaType(), index.digest(), index.size());
    List<Descriptor> indexEntries = new ArrayList<>();
    for (ImageReference ref : tags) {
      if (ref.tag() != null) {
        ImageReference tagged = ref.withTag(ref.tag());
        Map<String, String> annotations = new TreeMap<>();
        annotations.put(CONTAINERD_NAME, tagged.toString());
        annotations.put(OCI_REF_NAME, tagged.tag());
        indexEntries.add(entry.withAnnotations(annotations));
      }
    }
    if (indexEntries.isEmpty()) {
      indexEntries.add(entry);
    }
    writeTar(out, indexEntries, List.of(), Map.of(), blobs, Map.of(), Format.OCI);
  }

  /**
   * Refuses a damaged or hostile stored index before a byte is written: its bytes must verify
   * (digest and size), parse as an index of its own media type, and list exactly the manifests
   * of {@code images}, each with the media type and size it really has. Otherwise the layout's
   * {@code index.json} would name an index whose entries promise blobs the archive lacks, or
   * holds with other sizes, and readers (skopeo, containerd) would fail or pick another image.
   * Entry digests are {@link Digest}s (fixed algorithms, lowercase hex), so no entry can name a
   * path outside {@code blobs/}.
   */
  private void checkEntries(Descriptor index, List<Image> images) throws IOException {
    String what = "Tried to export image index " + index.digest() + " but failed because: ";
    if (!MediaTypes.isIndex(index.mediaType())) {
      throw new IOException(what + "it is a " + index.mediaType() + ", not an image index");
    }
    byte[] bytes = content.readAll(index); // a missing or corrupt blob: the store's own words
    ImageIndex parsed;
    try {
      parsed = OciJson.fromBytes(bytes, ImageIndex.class);
    } catch (IOException | RuntimeException e) {
      // Jackson's own message has a second line ("at [Source: …]"); errors are one line.
      String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      throw new IOException(what + "it is not a valid image index (" + reason + ")", e);
    }
    if (parsed.mediaType() != null && !parsed.mediaType().equals(index.mediaType())) {
      throw new IOException(what + "it says it is a " + parsed.mediaType() + ", its descriptor"
          + " says " + index.mediaType());
    }
    Map<Digest, Descriptor> manifests = new LinkedHashMap<>();
    for (Image image : images) {
      manifests.put(image.manifestDigest(), image.manifestDescriptor());
    }
    Set<Digest> listed = new HashSet<>();
    for (Descriptor entry : parsed.manifests()) {
      Descriptor actual = manifests.get(entry.digest());
      if (actual == null) {
        throw new IOException(what + "its entry " + entry.digest() + " is not one of the images"
            + " being exported");
      }
      if (!actual.mediaType().equals(entry.mediaType()) || actual.size() != entry.size()) {
        throw new IOException(what + "its entry " + entry.digest() + " says " + entry.mediaType()
            + ", " + entry.size() + " bytes; the stored manifest is " + actual.mediaType() + ", "
            + actual.size() + " bytes");
      }
      listed.add(entry.digest());
    }
    if (!listed.equals(manifests.keySet())) {
      throw new IOException(what + "it does not list every image being exported");
    }
  }

  private void writeTar(OutputStream out, List<Descriptor> indexEntries,
      List<Map<String, Object>> dockerManifest, Map<String, Map<String, String>> repositories,
      TreeMap<String, Descriptor> blobs, Map<String, byte[]> inline, Format format)
      throws IOException {
    OutputStream shielded = new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush(); // the caller owns out
      }
    };
    try (TarWriter tar = new TarWriter(new BufferedOutputStream(shielded, 64 * 1024))) {
      file(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(
          StandardCharsets.UTF_8));
      file(tar, "index.json", OciJson.toBytes(ImageIndex.oci(indexEntries)));
      if (format == Format.DOCKER) {
        file(tar, "manifest.json", OciJson.toBytes(dockerManifest));
      }
      if (format == Format.DOCKER && !repositories.isEmpty()) {
        file(tar, "repositories", OciJson.toBytes(repositories));
      }
      tar.write(TarEntry.directory("blobs", 0755, 0, 0, 0), null);
      tar.write(TarEntry.directory("blobs/sha256", 0755, 0, 0, 0), null);
      for (Descriptor blob : blobs.values()) {
        byte[] bytes = inline.get(blob.digest().hex());
        if (bytes != null) {
          file(tar, blobPath(blob), bytes);
          continue;
        }
        long size = content.size(blob.digest());
        if (size != blob.size()) {
          throw new IOException("Tried to export blob " + blob.digest() + " but failed because:"
              + " it has " + size + " bytes, its descriptor says " + blob.size());
        }
        try (InputStream in = content.open(blob)) {
          tar.write(TarEntry.file(blobPath(blob), 0644, 0, 0, size, 0), in);
          // Reach EOF so the verifying stream checks the digest before the archive is done.
          if (in.read() != -1) {
            throw new IOException("Tried to export blob " + blob.digest() + " but failed"
                + " because: it grew while being written");
          }
        }
      }
    }
  }

  /** The OCI manifest with the same content as a Docker schema 2 manifest. */
  private static ImageManifest toOci(ImageManifest docker) {
    Descriptor config = Descriptor.of(MediaTypes.OCI_CONFIG, docker.config().digest(),
        docker.config().size());
    List<Descriptor> layers = new ArrayList<>();
    for (Descriptor layer : docker.layers()) {
      String type = MediaTypes.DOCKER_LAYER_GZIP.equals(layer.mediaType())
          ? MediaTypes.OCI_LAYER_GZIP
          : FOREIGN_LAYER.equals(layer.mediaType()) ? NONDISTRIBUTABLE_LAYER : layer.mediaType();
      layers.add(Descriptor.of(type, layer.digest(), layer.size()));
    }
    return ImageManifest.oci(config, layers);
  }

  private static String blobPath(Descriptor descriptor) {
    return "blobs/" + descriptor.digest().algorithm() + "/" + descriptor.digest().hex();
  }

  private static void file(TarWriter tar, String name, byte[] bytes) throws IOException {
    tar.write(TarEntry.file(name, 0644, 0, 0, bytes.length, 0), new ByteArrayInputStream(bytes));
  }
}
