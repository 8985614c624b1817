package dev.jbuild.builder;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.plan.NamedContext;
import dev.jbuild.builder.plan.PlanOptions;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.BlobWriter;
import dev.jbuild.layerstore.image.DiffIds;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --build-context NAME=oci-layout://PATH[:TAG|@DIGEST]} contexts of a build, copied
 * into the store before planning so that the planner sees an image stored by digest ({@link
 * NamedContext.Image}); BuildKit reads them from the client's OCI store the same way
 * (testNamedOCILayoutContext). The layout is untrusted input:
 *
 * <ul>
 *   <li>blobs are read only as {@code blobs/sha256/<hex>} of a parsed digest (so no name from
 *       {@code index.json} is ever joined to a path), only sha256, and none of {@code blobs},
 *       {@code blobs/sha256}, a blob or {@code index.json} may be a symbolic link;
 *   <li>every blob is checked against the size and digest that name it (manifests and configs
 *       before they are parsed, layers by the content store as they are copied), and each
 *       layer's DiffID against the config, as a pull checks them;
 *   <li>JSON documents are read only up to {@link #MAX_JSON} bytes.
 * </ul>
 */
final class OciLayoutContexts {
  /** The largest index, manifest or config read into memory. */
  static final int MAX_JSON = 4 << 20;
  private static final String REF_NAME = "org.opencontainers.image.ref.name";

  private OciLayoutContexts() {}

  /**
   * {@code options} with each {@link NamedContext.OciLayout} replaced by the image it names,
   * stored (verified) in {@code store} and referred to by manifest digest; the same options when
   * there is none.
   *
   * @throws BuildException one line naming the context, the layout and what is wrong with it
   */
  static PlanOptions resolve(PlanOptions options, LayerStore store) throws BuildException {
    if (options.namedContexts().values().stream()
        .noneMatch(c -> c instanceof NamedContext.OciLayout)) {
      return options;
    }
    Map<String, NamedContext> contexts = new LinkedHashMap<>(options.namedContexts());
    for (Map.Entry<String, NamedContext> e : options.namedContexts().entrySet()) {
      if (e.getValue() instanceof NamedContext.OciLayout layout) {
        Image image;
        try {
          image = importImage(layout, store, options.platform());
        } catch (IOException | RuntimeException ex) {
          throw new BuildException("Tried to read the build context \"" + e.getKey()
              + "\" from the OCI layout " + layout.dir() + " but failed because: "
              + reason(ex), ex);
        }
        contexts.put(e.getKey(), new NamedContext.Image(
            ImageReference.parse("oci-layout@" + image.manifestDigest())));
      }
    }
    return new PlanOptions(options.dockerfileName(), options.target(), options.platform(),
        options.buildArgs(), options.network(), options.noCache(), options.noCacheStages(),
        contexts);
  }

  /** One line: Jackson's messages carry a second line, and wrap the digest's own complaint. */
  private static String reason(Exception e) {
    String message = e.getMessage();
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
      message = j.getCause() instanceof IllegalArgumentException bad ? bad.getMessage()
          : "invalid JSON: " + j.getOriginalMessage();
    }
    return message == null ? e.toString() : message.lines().findFirst().orElse(message);
  }

  /** Copies the image {@code layout} names (for {@code platform}) into the store. */
  static Image importImage(NamedContext.OciLayout layout, LayerStore store, Platform platform)
      throws IOException {
    Path dir = layout.dir();
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not a directory");
    }
    Path blobs = dir.resolve("blobs").resolve("sha256");
    for (Path p : List.of(dir.resolve("blobs"), blobs, dir.resolve("index.json"))) {
      if (Files.isSymbolicLink(p)) {
        throw new IOException(dir.relativize(p) + " is a symbolic link");
      }
    }
    Descriptor target = layout.digest() != null ? byDigest(blobs, layout.digest())
        : byTag(dir, layout.tag());
    if (MediaTypes.isIndex(target.mediaType())) {
      ImageIndex index = OciJson.fromBytes(read(blobs, target), ImageIndex.class);
      target = index.select(platform).orElseThrow(() -> new IOException("its index "
          + layout.digest() + " has no image for " + platform));
    }
    if (!MediaTypes.isManifest(target.mediaType())) {
      throw new IOException(target.digest() + " is a " + target.mediaType()
          + ", not an image manifest or index");
    }
    byte[] manifestBytes = read(blobs, target);
    ImageManifest manifest = OciJson.fromBytes(manifestBytes, ImageManifest.class);
    ImageConfig config = OciJson.fromBytes(read(blobs, manifest.config()), ImageConfig.class);
    List<Digest> diffIds = config.rootfs().diffIds();
    if (diffIds.size() != manifest.layers().size()) {
      throw new IOException("its config lists " + diffIds.size() + " layers, its manifest "
          + manifest.layers().size());
    }
    copy(blobs, manifest.config(), store);
    for (int i = 0; i < manifest.layers().size(); i++) {
      Descriptor layer = manifest.layers().get(i);
      copy(blobs, layer, store);
      Digest diffId = DiffIds.of(store.content(), layer.digest());
      if (!diffId.equals(diffIds.get(i))) {
        throw new IOException(DiffIds.mismatch(layer.digest(), diffIds.get(i), diffId));
      }
    }
    return store.images().store(manifestBytes, target.mediaType());
  }

  /** The entry of {@code index.json} whose ref name is {@code tag}. */
  private static Descriptor byTag(Path dir, String tag) throws IOException {
    ImageIndex index = OciJson.fromBytes(readFile(dir.resolve("index.json"), MAX_JSON),
        ImageIndex.class);
    List<Descriptor> named = index.manifests().stream()
        .filter(d -> tag.equals(d.annotations().get(REF_NAME))).toList();
    if (named.size() != 1) {
      List<String> names = index.manifests().stream()
          .map(d -> d.annotations().get(REF_NAME)).filter(n -> n != null).toList();
      throw new IOException((named.isEmpty() ? "its index.json names no image " : "its"
          + " index.json names more than one image ") + tag + " (it names " + names + "); give"
          + " oci-layout://PATH:TAG or oci-layout://PATH@sha256:DIGEST");
    }
    return named.get(0);
  }

  /**
   * A blob named by digest only: its media type is its own {@code mediaType} field (an index
   * or a manifest), and its size is what the file has, checked by the digest.
   */
  private static Descriptor byDigest(Path blobs, Digest digest) throws IOException {
    Path file = blob(blobs, digest);
    long size = Files.size(file);
    if (size > MAX_JSON) {
      throw new IOException(digest + " is " + size + " bytes, too large for a manifest");
    }
    byte[] bytes = read(blobs, Descriptor.of("application/octet-stream", digest, size));
    var node = OciJson.mapper().readTree(bytes);
    String mediaType = node.path("mediaType").asText(node.has("manifests")
        ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST);
    return Descriptor.of(mediaType, digest, size);
  }

  /** {@code blobs/sha256/<hex>}: the hex is a checked digest's, never a name from the layout. */
  private static Path blob(Path blobs, Digest digest) throws IOException {
    if (!digest.algorithm().equals("sha256")) {
      throw new IOException("only sha256 blobs are read, not " + digest);
    }
    Path file = blobs.resolve(digest.hex());
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("blob " + digest + " is " + (Files.isSymbolicLink(file)
          ? "a symbolic link" : Files.exists(file, LinkOption.NOFOLLOW_LINKS)
          ? "not a regular file" : "missing"));
    }
    return file;
  }

  /** A JSON blob, checked against the descriptor's size and digest before it is parsed. */
  private static byte[] read(Path blobs, Descriptor d) throws IOException {
    if (d.size() < 0 || d.size() > MAX_JSON) {
      throw new IOException("blob " + d.digest() + " claims " + d.size() + " bytes");
    }
    byte[] bytes = readFile(blob(blobs, d.digest()), (int) d.size());
    if (bytes.length != d.size() || !Digest.sha256(bytes).equals(d.digest())) {
      throw new IOException("blob " + d.digest() + " does not match its digest and size "
          + d.size());
    }
    return bytes;
  }

  /** At most {@code max} + 1 bytes of a regular file (one more shows it is too long). */
  private static byte[] readFile(Path file, int max) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes(max + 1);
      if (bytes.length > max && file.getFileName().toString().equals("index.json")) {
        throw new IOException("index.json is larger than " + max + " bytes");
      }
      return bytes;
    }
  }

  /** Copies a blob into the store, which checks size and digest before it keeps it. */
  private static void copy(Path blobs, Descriptor d, LayerStore store) throws IOException {
    if (store.content().contains(d.digest())) {
      return;
    }
    try (BlobWriter writer = store.content().newWriter();
        InputStream in = Files.newInputStream(blob(blobs, d.digest()),
            LinkOption.NOFOLLOW_LINKS)) {
      // One byte past the size is enough to show a blob that is too long.
      in.transferTo(new java.io.FilterOutputStream(writer.stream()) {
        private long n;

        @Override
        public void write(int b) throws IOException {
          if (++n > d.size()) {
            throw new IOException("blob " + d.digest() + " is longer than " + d.size()
                + " bytes");
          }
          out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          n += len;
          if (n > d.size()) {
            throw new IOException("blob " + d.digest() + " is longer than " + d.size()
                + " bytes");
          }
          out.write(b, off, len);
        }
      });
      writer.commit(d.mediaType(), d.digest(), d.size());
    }
  }
}
