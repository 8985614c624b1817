package dev.jbuild.layerstore.layout;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.jbuild.layerstore.content.BlobWriter;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.image.DiffIds;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.ImageStore;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The one reader of an OCI image layout (image-spec {@code image-layout.md}), for {@code jbuild
 * load} of an OCI archive, the {@code type=local} build cache and {@code --build-context
 * NAME=oci-layout://}. A layout is untrusted input:
 *
 * <ul>
 *   <li>blobs are read only as {@code blobs/sha256/<hex>} of a parsed digest (so no name from
 *       {@code index.json} is ever joined to a path), only sha256; in a directory none of {@code
 *       blobs}, {@code blobs/sha256}, a blob or {@code index.json} may be a symbolic link, and only
 *       regular files are opened, with {@code O_NOFOLLOW};
 *   <li>every blob is checked against the size and digest of the descriptor that names it: JSON
 *       before it is parsed, layers while they are copied (one byte past the size stops the copy)
 *       and by the content store on commit; a blob the store already holds must have the size
 *       its descriptor claims;
 *   <li>each layer's DiffID is checked against the config's {@code rootfs.diff_ids} before the
 *       image is stored, as a pull checks them;
 *   <li>{@code index.json}, manifests, indexes and configs are read only up to a bound, and
 *       nested indexes only {@value #MAX_NESTING} deep.
 * </ul>
 *
 * <p>Failures are {@link IOException}s whose message is one line naming the file and what is
 * wrong with it; callers prefix what they were doing. Thread-safe (holds no mutable state).
 */
public final class OciLayoutReader {
  /** The default bound of an index, manifest or config read into memory. */
  public static final int MAX_JSON = 4 << 20;
  /** The annotation that tags an entry of {@code index.json}. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";
  /** How deep indexes may nest below {@code index.json}. */
  public static final int MAX_NESTING = 4;

  private final LayoutFiles files;
  private final int maxJson;

  private OciLayoutReader(LayoutFiles files, int maxJson) {
    this.files = files;
    this.maxJson = maxJson;
  }

  /**
   * A layout directory; its {@code blobs} and {@code index.json} are checked now, blobs when read.
   *
   * @param maxJson the largest index, manifest or config read into memory
   * @throws java.nio.file.NoSuchFileException if {@code dir} or its {@code index.json} is absent
   * @throws IOException if {@code dir} is not a directory or a checked file is a symbolic link
   */
  public static OciLayoutReader directory(Path dir, int maxJson) throws IOException {
    return new OciLayoutReader(LayoutFiles.directory(dir), maxJson);
  }

  /**
   * The OCI side of an image archive: {@code indexJson} as read from it, blobs from {@code
   * content}, where the archive's {@code blobs/sha256/} entries were verified by their names.
   */
  public static OciLayoutReader archive(byte[] indexJson, ContentStore content, int maxJson) {
    return new OciLayoutReader(LayoutFiles.archive(indexJson, content), maxJson);
  }

  /** {@code index.json}, parsed. @throws IOException if it is too large or not an index */
  public ImageIndex index() throws IOException {
    byte[] bytes = files.index(maxJson);
    if (bytes.length > maxJson) {
      throw new IOException("index.json is larger than " + maxJson + " bytes");
    }
    return parse(bytes, ImageIndex.class, "index.json");
  }

  /**
   * A descriptor for a blob named by digest only: its media type is its own {@code mediaType}
   * field (an index or a manifest), its size what the blob has, checked with the digest.
   */
  public Descriptor describe(Digest digest) throws IOException {
    checkAlgorithm(digest);
    long size = files.size(digest);
    if (size > maxJson) {
      throw new IOException(digest + " is " + size + " bytes, too large for a manifest");
    }
    byte[] bytes = readJson(Descriptor.of("application/octet-stream", digest, size));
    com.fasterxml.jackson.databind.JsonNode node;
    try {
      node = OciJson.mapper().readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IOException("blob " + digest + " is not JSON: " + e.getOriginalMessage());
    }
    String mediaType = node.path("mediaType").asText(node.has("manifests")
        ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST);
    return Descriptor.of(mediaType, digest, size);
  }

  /**
   * The image manifest {@code entry} names for {@code platform}: {@code entry} itself if it is a
   * manifest, else the platform's entry of the index it names, following nested indexes.
   *
   * @throws IOException if an index has no image for the platform, nests too deep, or an entry
   *     is neither a manifest nor an index
   */
  public Descriptor manifestFor(Descriptor entry, Platform platform) throws IOException {
    Descriptor d = entry;
    for (int depth = 0; MediaTypes.isIndex(d.mediaType()); depth++) {
      if (depth == MAX_NESTING) {
        throw new IOException("indexes nest more than " + MAX_NESTING + " deep below "
            + entry.digest());
      }
      ImageIndex index = readJson(d, ImageIndex.class);
      Digest at = d.digest();
      d = index.select(platform).orElseThrow(() -> new IOException("index " + at
          + " has no image for " + platform));
    }
    if (!MediaTypes.isManifest(d.mediaType())) {
      throw new IOException(d.digest() + " is a " + d.mediaType()
          + ", not an image manifest or index");
    }
    return d;
  }

  /**
   * A JSON blob (at most the reader's bound), checked against the descriptor's size and digest
   * before anything parses it.
   */
  public byte[] readJson(Descriptor d) throws IOException {
    checkAlgorithm(d.digest());
    if (d.size() < 0 || d.size() > maxJson) {
      throw new IOException("blob " + d.digest() + " claims " + d.size() + " bytes");
    }
    byte[] bytes;
    try (InputStream in = files.open(d.digest())) {
      bytes = in.readNBytes((int) d.size() + 1);
    }
    if (bytes.length != d.size() || !Digest.sha256(bytes).equals(d.digest())) {
      throw new IOException("blob " + d.digest() + " does not match its digest and size "
          + d.size());
    }
    return bytes;
  }

  /** {@link #readJson(Descriptor)}, parsed as {@code type}. */
  public <T> T readJson(Descriptor d, Class<T> type) throws IOException {
    return parse(readJson(d), type, "blob " + d.digest());
  }

  /**
   * Copies a blob into {@code content}, which checks its digest and size before it keeps it; a
   * blob that is longer than {@code d} says is stopped one byte past the size. A blob {@code
   * content} already holds is not read again, but must have the size {@code d} claims.
   */
  public void copy(Descriptor d, ContentStore content) throws IOException {
    checkAlgorithm(d.digest());
    if (content.contains(d.digest())) {
      long size = content.size(d.digest());
      if (size != d.size()) {
        throw new IOException("blob " + d.digest() + " has " + size + " bytes, its descriptor"
            + " says " + d.size());
      }
      return;
    }
    if (d.size() < 0) {
      throw new IOException("blob " + d.digest() + " claims " + d.size() + " bytes");
    }
    try (BlobWriter writer = content.newWriter(); InputStream in = files.open(d.digest())) {
      in.transferTo(new Bounded(writer.stream(), d));
      writer.commit(d.mediaType(), d.digest(), d.size());
    }
  }

  /**
   * Copies the image {@code manifest} names (config and layers, each verified) into {@code
   * content} and stores it in {@code images} with its manifest bytes unchanged, after checking
   * every layer's DiffID against the config.
   *
   * @param manifest an image manifest's descriptor, as {@link #manifestFor} returns it
   */
  public Image importImage(Descriptor manifest, ContentStore content, ImageStore images)
      throws IOException {
    byte[] manifestBytes = readJson(manifest);
    ImageManifest m = parse(manifestBytes, ImageManifest.class, "manifest " + manifest.digest());
    ImageConfig config = readJson(m.config(), ImageConfig.class);
    List<Digest> diffIds = config.rootfs().diffIds();
    if (diffIds.size() != m.layers().size()) {
      throw new IOException("the config of " + manifest.digest() + " lists " + diffIds.size()
          + " layers, its manifest " + m.layers().size());
    }
    copy(m.config(), content);
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor layer = m.layers().get(i);
      copy(layer, content);
      Digest diffId = DiffIds.of(content, layer.digest());
      if (!diffId.equals(diffIds.get(i))) {
        throw new IOException(DiffIds.mismatch(layer.digest(), diffIds.get(i), diffId));
      }
    }
    // The manifest's own media type wins: its bytes are stored as they are.
    return images.store(manifestBytes, m.mediaType() != null ? m.mediaType()
        : manifest.mediaType());
  }

  private static void checkAlgorithm(Digest digest) throws IOException {
    if (!digest.algorithm().equals("sha256")) {
      throw new IOException("only sha256 blobs are read, not " + digest);
    }
  }

  /** One line: Jackson's messages carry a second line, and wrap a digest's own complaint. */
  private static <T> T parse(byte[] bytes, Class<T> type, String what) throws IOException {
    try {
      return OciJson.fromBytes(bytes, type);
    } catch (JsonProcessingException e) {
      String reason = e.getCause() instanceof IllegalArgumentException bad ? bad.getMessage()
          : "invalid JSON: " + e.getOriginalMessage();
      throw new IOException(what + " is not a valid " + type.getSimpleName() + ": "
          + reason.lines().findFirst().orElse(reason), e);
    }
  }

  /** Passes at most {@code d.size()} bytes; one more is an error naming the blob. */
  private static final class Bounded extends FilterOutputStream {
    private final Descriptor d;
    private long n;

    Bounded(OutputStream out, Descriptor d) {
      super(out);
      this.d = d;
    }

    @Override
    public void write(int b) throws IOException {
      count(1);
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      count(len);
      out.write(b, off, len);
    }

    private void count(int len) throws IOException {
      n += len;
      if (n > d.size()) {
        throw new IOException("blob " + d.digest() + " is longer than " + d.size() + " bytes");
      }
    }
  }
}
