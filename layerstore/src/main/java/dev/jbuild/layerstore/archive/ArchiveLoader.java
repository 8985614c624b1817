package dev.jbuild.layerstore.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.diff.LayerOptions;
import dev.jbuild.layerstore.image.DiffIds;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.layout.OciLayoutReader;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.layerstore.tar.TarStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads image archives into the store, like {@code docker load}: the classic {@code docker save}
 * format ({@code manifest.json} + {@code <id>/layer.tar}), Docker 25's combined format and plain
 * OCI image layouts as tar ({@code oci-layout} + {@code index.json} + {@code blobs/}), each
 * possibly gzip, zstd, xz or bzip2 compressed as a whole. The archive is read once, as a stream
 * (stdin works), in any entry order.
 *
 * <p>Every blob is verified: {@code blobs/<alg>/<hex>} entries against their names, and the OCI
 * side by {@link OciLayoutReader} (sizes and digests of every descriptor, bounded JSON, layers
 * against the config's diff_ids); nothing is tagged until the image is complete. Classic
 * layers are compressed on the way in (parallel gzip) and get a Docker schema 2 manifest; the
 * config bytes are kept exactly, so the image ID is the one {@code docker} shows. Images from an
 * OCI layout are stored with their manifest bytes unchanged. A multi-platform index is narrowed to
 * the host's platform. Tags come from {@code manifest.json}'s {@code RepoTags} or the index's
 * {@code io.containerd.image.name} / {@code org.opencontainers.image.ref.name} annotations (a bare
 * tag without a repository name is ignored, as it cannot be placed).
 *
 * <p>Holds a store lease while it runs. Thread-safe (stateless between calls).
 */
public final class ArchiveLoader {
  private static final String CONTAINERD_NAME = "io.containerd.image.name";
  /** The largest index, manifest or config of an OCI archive read into memory. */
  private static final int MAX_JSON = 16 << 20;

  private final LayerStore store;
  private final LayerOptions layerOptions;

  /** Loads into {@code store}, compressing classic layers with parallel gzip. */
  public ArchiveLoader(LayerStore store) {
    this(store, LayerOptions.defaults());
  }

  /** Loads into {@code store}, compressing classic layers with {@code layerOptions}. */
  public ArchiveLoader(LayerStore store, LayerOptions layerOptions) {
    this.store = store;
    this.layerOptions = layerOptions;
  }

  /**
   * Reads the archive and stores and tags its images.
   *
   * @param archive the archive stream (not closed)
   * @return the images, in archive order
   * @throws IOException if the archive is malformed, incomplete or fails verification
   */
  @SuppressWarnings("try") // the lease is held by the try block, not used in it
  public List<LoadedImage> load(InputStream archive) throws IOException {
    try (var lease = store.lease()) {
      ArchiveContents contents =
          ArchiveContents.read(archive, store.content(), layerOptions);
      // Combined archives have both files; their OCI side keeps the manifest bytes, so prefer
      // it unless the layers are classic layer.tar files.
      boolean docker = contents.metadata.containsKey("manifest.json")
          && (!contents.metadata.containsKey("index.json") || contents.hasClassicLayers());
      List<LoadedImage> loaded = docker ? loadDocker(contents) : loadOci(contents);
      for (LoadedImage image : loaded) {
        for (ImageReference tag : image.tags()) {
          store.images().tag(tag, image.image().manifestDescriptor());
        }
      }
      return loaded;
    }
  }

  // ---- classic and combined docker-archive via manifest.json -------------------------------

  private List<LoadedImage> loadDocker(ArchiveContents c) throws IOException {
    JsonNode manifest = OciJson.mapper().readTree(c.metadata.get("manifest.json"));
    if (!manifest.isArray()) {
      throw new IOException("Tried to load a docker-archive but failed because: manifest.json is"
          + " not a JSON array");
    }
    List<LoadedImage> loaded = new ArrayList<>();
    for (JsonNode item : manifest) {
      String configPath = item.path("Config").asText("");
      byte[] configBytes = c.bytes(configPath);
      ImageConfig config = OciJson.fromBytes(configBytes, ImageConfig.class);
      List<Digest> diffIds = config.rootfs().diffIds();
      JsonNode layerPaths = item.path("Layers");
      if (layerPaths.size() != diffIds.size()) {
        throw new IOException("Tried to load image " + configPath + " but failed because: it"
            + " lists " + layerPaths.size() + " layers and " + diffIds.size() + " diff_ids");
      }
      List<Layer> layers = new ArrayList<>();
      for (int i = 0; i < diffIds.size(); i++) {
        layers.add(dockerLayer(c, layerPaths.get(i).asText(), diffIds.get(i)));
      }
      Image image = store.images().write(configBytes, layers);
      List<ImageReference> tags = new ArrayList<>();
      for (JsonNode t : item.path("RepoTags")) {
        parseTag(t.asText()).ifPresent(tags::add);
      }
      loaded.add(new LoadedImage(image, tags));
    }
    return loaded;
  }

  private Layer dockerLayer(ArchiveContents c, String rawPath, Digest diffId) throws IOException {
    String path = c.resolve(rawPath);
    Layer classic = c.classicLayers.get(path);
    if (classic != null) {
      if (!classic.diffId().equals(diffId)) {
        throw new IOException("Tried to load layer " + rawPath + " but failed because: its"
            + " content has DiffID " + classic.diffId() + ", the config says " + diffId);
      }
      return classic;
    }
    Digest blob = c.blobs.get(path);
    if (blob == null && c.metadata.containsKey(path)) {
      // A small layer under an unexpected name was kept in memory: store it like a classic one.
      Layer layer = LayerDiffer.fromTar(new java.io.ByteArrayInputStream(c.metadata.get(path)),
          store.content(), layerOptions);
      if (!layer.diffId().equals(diffId)) {
        throw new IOException("Tried to load layer " + rawPath + " but failed because: its"
            + " content has DiffID " + layer.diffId() + ", the config says " + diffId);
      }
      return layer;
    }
    if (blob == null) {
      throw new IOException("Tried to load layer " + rawPath + " but failed because: it is not"
          + " in the archive");
    }
    return verifiedLayer(blob, diffId);
  }

  /**
   * Checks a stored docker-archive layer blob against its DiffID (one decompressing pass, which
   * also records its {@link LayerInfo}) and returns it with the media type its compression calls
   * for.
   */
  private Layer verifiedLayer(Digest blob, Digest diffId) throws IOException {
    ContentStore content = store.content();
    Optional<LayerInfo> known = content.layerInfo(blob);
    if (known.isEmpty() || !known.get().diffId().equals(diffId)) {
      Digest actual = DiffIds.measure(content, blob).diffId();
      if (!actual.equals(diffId)) {
        throw new IOException("Tried to load layer " + blob + " but failed because: its"
            + " content has DiffID " + actual + ", the config says " + diffId);
      }
    }
    TarStreams.Compression compression;
    try (InputStream in = new java.io.BufferedInputStream(content.open(blob), 64)) {
      compression = TarStreams.detect(in);
    }
    String type = switch (compression) {
      case GZIP -> MediaTypes.DOCKER_LAYER_GZIP;
      case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
      case NONE -> MediaTypes.OCI_LAYER_TAR;
      default -> throw new IOException("Tried to load layer " + blob + " but failed because: "
          + compression + " layers have no OCI media type; re-save it with gzip or zstd");
    };
    return new Layer(Descriptor.of(type, blob, content.size(blob)), diffId);
  }

  // ---- OCI image layout ---------------------------------------------------------------------

  private List<LoadedImage> loadOci(ArchiveContents c) throws IOException {
    byte[] indexBytes = c.metadata.get("index.json");
    if (indexBytes == null) {
      throw new IOException("Tried to load an image archive but failed because: it has neither"
          + " manifest.json (docker-archive) nor index.json (OCI layout)");
    }
    Map<String, List<ImageReference>> dockerTags = dockerTagsByConfig(c);
    OciLayoutReader reader = OciLayoutReader.archive(indexBytes, store.content(), MAX_JSON);
    Map<Digest, LoadedImage> byManifest = new LinkedHashMap<>();
    for (Descriptor entry : ociIndex(reader).manifests()) {
      Descriptor manifest;
      Image image;
      try {
        manifest = reader.manifestFor(entry, Platform.host());
        image = reader.importImage(manifest, store.content(), store.images());
      } catch (IOException e) {
        throw because("image " + entry.digest(), e);
      }
      List<ImageReference> tags = new ArrayList<>(
          byManifest.containsKey(manifest.digest())
              ? byManifest.get(manifest.digest()).tags() : List.of());
      String name = entry.annotations().get(CONTAINERD_NAME);
      String ref = name != null ? name : entry.annotations().get(OciLayoutReader.REF_NAME);
      if (ref != null) {
        parseTag(ref).filter(t -> !tags.contains(t)).ifPresent(tags::add);
      }
      for (ImageReference t : dockerTags.getOrDefault(image.id().hex(), List.of())) {
        if (!tags.contains(t)) {
          tags.add(t);
        }
      }
      byManifest.put(manifest.digest(), new LoadedImage(image, tags));
    }
    return new ArrayList<>(byManifest.values());
  }

  private static ImageIndex ociIndex(OciLayoutReader reader) throws IOException {
    try {
      return reader.index();
    } catch (IOException e) {
      throw because("its index.json", e);
    }
  }

  /**
   * The reader's one-line reasons, said in the loader's words; typed failures (an unsafe layer,
   * a digest mismatch) keep their type and message.
   */
  private static IOException because(String what, IOException e) {
    if (e.getClass() != IOException.class) {
      return e;
    }
    return new IOException("Tried to load " + what + " from the OCI archive but failed because: "
        + e.getMessage(), e);
  }

  /** Combined archives also name their images in manifest.json; use those tags too. */
  private Map<String, List<ImageReference>> dockerTagsByConfig(ArchiveContents c) throws IOException {
    Map<String, List<ImageReference>> tags = new HashMap<>();
    byte[] bytes = c.metadata.get("manifest.json");
    if (bytes == null) {
      return tags;
    }
    for (JsonNode item : OciJson.mapper().readTree(bytes)) {
      String config = item.path("Config").asText("");
      String hex = config.replaceAll("^.*/", "").replace(".json", "");
      for (JsonNode t : item.path("RepoTags")) {
        parseTag(t.asText()).ifPresent(
            ref -> tags.computeIfAbsent(hex, k -> new ArrayList<>()).add(ref));
      }
    }
    return tags;
  }

  /** A RepoTags or annotation value as a tag; empty when it names no repository. */
  private static Optional<ImageReference> parseTag(String text) {
    if (text == null || text.isEmpty() || !(text.contains("/") || text.contains(":"))) {
      return Optional.empty();
    }
    try {
      ImageReference ref = ImageReference.parse(text);
      return ref.tag() == null ? Optional.empty() : Optional.of(ref.withTag(ref.tag()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
