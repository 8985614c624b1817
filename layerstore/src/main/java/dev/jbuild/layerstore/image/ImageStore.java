package dev.jbuild.layerstore.image;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.jbuild.layerstore.BlobNotFoundException;
import dev.jbuild.layerstore.ContentStore;
import dev.jbuild.layerstore.Layer;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Images (manifest + config blobs in the {@link ContentStore}) and the tag database {@code
 * images/tags.json}, a JSON map from fully qualified reference to manifest descriptor. Tag updates
 * take a file lock ({@code images/tags.lock}) and replace the file by atomic rename, so concurrent
 * jbuild processes never lose each other's tags and readers never see a half-written file.
 * Thread-safe.
 */
public final class ImageStore {
  private static final TypeReference<TreeMap<String, Descriptor>> TAGS_TYPE =
      new TypeReference<>() {};

  private final Path tagsFile;
  private final Path lockFile;
  private final ContentStore content;

  /**
   * @param root the {@code images} directory (created if missing)
   * @param content the blobs
   */
  public ImageStore(Path root, ContentStore content) throws IOException {
    Files.createDirectories(root);
    this.tagsFile = root.resolve("tags.json");
    this.lockFile = root.resolve("tags.lock");
    this.content = content;
  }

  /**
   * Stores a new image as a Docker schema 2 manifest. The config's {@code rootfs.diff_ids} are
   * filled from {@code layers} if empty, and must otherwise equal them. Layer blobs must already
   * be stored.
   *
   * @param config the image config (serialized with {@link OciJson})
   * @param layers the layers, base first
   * @throws BlobNotFoundException if a layer blob is missing
   * @throws IllegalArgumentException if the config's diff_ids disagree with {@code layers}
   */
  public Image write(ImageConfig config, List<Layer> layers) throws IOException {
    List<Digest> diffIds = new ArrayList<>();
    List<Descriptor> layerDescriptors = new ArrayList<>();
    for (Layer layer : layers) {
      if (!content.contains(layer.blob().digest())) {
        throw new BlobNotFoundException(layer.blob().digest());
      }
      diffIds.add(layer.diffId());
      layerDescriptors.add(Descriptor.of(layer.blob().mediaType(), layer.blob().digest(),
          layer.blob().size()));
    }
    ImageConfig finalConfig = config;
    if (config.rootfs().diffIds().isEmpty() && !diffIds.isEmpty()) {
      finalConfig = new ImageConfig(config.created(), config.author(), config.architecture(),
          config.os(), config.variant(), config.config(),
          new ImageConfig.RootFs("layers", diffIds), config.history());
    } else if (!config.rootfs().diffIds().equals(diffIds)) {
      throw new IllegalArgumentException("config rootfs.diff_ids " + config.rootfs().diffIds()
          + " do not match the layers " + diffIds);
    }
    byte[] configBytes = OciJson.toBytes(finalConfig);
    Descriptor configDescriptor = content.put(MediaTypes.DOCKER_CONFIG, configBytes);
    ImageManifest manifest = ImageManifest.docker(configDescriptor, layerDescriptors);
    byte[] manifestBytes = OciJson.toBytes(manifest);
    Descriptor manifestDescriptor = content.put(MediaTypes.DOCKER_MANIFEST, manifestBytes);
    return new Image(manifestDescriptor, manifest, manifestBytes, configDescriptor, configBytes,
        finalConfig);
  }

  /**
   * Loads a stored image by manifest digest, verifying manifest and config bytes.
   *
   * @throws BlobNotFoundException if the manifest or config is not stored
   * @throws IOException if the manifest is an index or cannot be parsed
   */
  public Image load(Digest manifestDigest) throws IOException {
    byte[] manifestBytes = content.readAll(manifestDigest);
    ImageManifest manifest = parseManifest(manifestBytes, manifestDigest);
    return assemble(manifest, manifestBytes,
        Descriptor.of(manifest.mediaType(), manifestDigest, manifestBytes.length));
  }

  /**
   * Stores pulled manifest bytes as they are (never re-serialized). The config and layer blobs
   * must already be in the content store.
   *
   * @param manifestBytes the manifest exactly as received
   * @param mediaType the manifest's media type (OCI or Docker schema 2)
   * @throws BlobNotFoundException if the config or a layer is missing
   */
  public Image store(byte[] manifestBytes, String mediaType) throws IOException {
    if (!MediaTypes.isManifest(mediaType)) {
      throw new IOException("Tried to store an image manifest but failed because: media type "
          + mediaType + " is not a single-platform image manifest");
    }
    ImageManifest manifest = parseManifest(manifestBytes, Digest.sha256(manifestBytes));
    for (Descriptor layer : manifest.layers()) {
      if (!content.contains(layer.digest())) {
        throw new BlobNotFoundException(layer.digest());
      }
    }
    Descriptor descriptor = content.put(mediaType, manifestBytes);
    return assemble(manifest, manifestBytes, descriptor);
  }

  private Image assemble(ImageManifest manifest, byte[] manifestBytes, Descriptor descriptor)
      throws IOException {
    byte[] configBytes = content.readAll(manifest.config());
    ImageConfig config;
    try {
      config = OciJson.fromBytes(configBytes, ImageConfig.class);
    } catch (IOException e) {
      throw new IOException("Tried to read image config " + manifest.config().digest()
          + " but failed because: " + e.getMessage(), e);
    }
    try {
      return new Image(descriptor, manifest, manifestBytes, manifest.config(), configBytes,
          config);
    } catch (IllegalArgumentException e) {
      throw new IOException("Tried to load image " + descriptor.digest() + " but failed because: "
          + e.getMessage(), e);
    }
  }

  private static ImageManifest parseManifest(byte[] bytes, Digest digest) throws IOException {
    ImageManifest manifest;
    try {
      manifest = OciJson.fromBytes(bytes, ImageManifest.class);
    } catch (IOException | RuntimeException e) {
      throw new IOException("Tried to read image manifest " + digest + " but failed because: "
          + e.getMessage(), e);
    }
    if (manifest.mediaType() != null && !MediaTypes.isManifest(manifest.mediaType())) {
      throw new IOException("Tried to read image manifest " + digest + " but failed because: it"
          + " is a " + manifest.mediaType() + ", not a single-platform manifest");
    }
    return manifest;
  }

  /**
   * Points {@code ref} (which must have a tag) at {@code manifest}, replacing any previous target.
   */
  public void tag(ImageReference ref, Descriptor manifest) throws IOException {
    String key = key(ref);
    update(tags -> {
      tags.put(key, Descriptor.of(manifest.mediaType(), manifest.digest(), manifest.size()));
      return true;
    });
  }

  /**
   * Removes a tag.
   *
   * @return true if it existed
   */
  public boolean untag(ImageReference ref) throws IOException {
    String key = key(ref);
    return update(tags -> tags.remove(key) != null);
  }

  /**
   * Resolves a reference: a tag through the tag database, a digest through the content store (if
   * that manifest is stored).
   */
  public Optional<Descriptor> resolve(ImageReference ref) throws IOException {
    if (ref.digest() != null) {
      Digest digest = ref.digest();
      if (!content.contains(digest)) {
        return Optional.empty();
      }
      byte[] bytes = content.readAll(digest);
      String mediaType = OciJson.mapper().readTree(bytes).path("mediaType").asText(
          MediaTypes.OCI_MANIFEST);
      return Optional.of(Descriptor.of(mediaType, digest, bytes.length));
    }
    return Optional.ofNullable(read().get(key(ref)));
  }

  /** Every tag, sorted by reference. */
  public List<TaggedImage> list() throws IOException {
    List<TaggedImage> list = new ArrayList<>();
    for (Map.Entry<String, Descriptor> e : read().entrySet()) {
      list.add(new TaggedImage(ImageReference.parse(e.getKey()), e.getValue()));
    }
    return list;
  }

  private static String key(ImageReference ref) {
    if (ref.tag() == null) {
      throw new IllegalArgumentException("Tried to tag " + ref + " but a tag is needed");
    }
    return ref.name() + ":" + ref.tag();
  }

  private TreeMap<String, Descriptor> read() throws IOException {
    try {
      return OciJson.mapper().readValue(Files.readAllBytes(tagsFile), TAGS_TYPE);
    } catch (NoSuchFileException e) {
      return new TreeMap<>();
    } catch (IOException e) {
      throw new IOException("Tried to read the tag database " + tagsFile + " but failed because: "
          + e.getMessage() + "; restore or delete the file", e);
    }
  }

  @SuppressWarnings("try") // the lock is held by the try block, not used in it
  private boolean update(Function<TreeMap<String, Descriptor>, Boolean> change)
      throws IOException {
    try (FileLocks.Held lock = FileLocks.lock(lockFile)) {
      TreeMap<String, Descriptor> tags = read();
      boolean changed = change.apply(tags);
      if (changed) {
        FileLocks.writeAtomically(tagsFile, OciJson.toBytes(tags));
      }
      return changed;
    }
  }
}
