package dev.jbuild.layerstore.image;

import dev.jbuild.layerstore.content.BlobNotFoundException;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
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

/**
 * Images (manifest + config blobs in the {@link ContentStore}) and the tag database {@code
 * images/tags.json}, a JSON map from fully qualified reference to manifest descriptor. Tag updates
 * take a file lock ({@code images/tags.lock}) and replace the file by atomic rename, so concurrent
 * jbuild processes never lose each other's tags and readers never see a half-written file.
 * Thread-safe.
 */
public final class ImageStore {
  private final TagDatabase tags;
  private final Path manifests;
  private final ContentStore content;

  /**
   * @param root the {@code images} directory (created if missing)
   * @param content the blobs
   */
  public ImageStore(Path root, ContentStore content) throws IOException {
    Files.createDirectories(root);
    this.tags = new TagDatabase(root.resolve("tags.json"), root.resolve("tags.lock"));
    this.manifests = root.resolve("manifests");
    Files.createDirectories(manifests);
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
    return write(config, layers, true);
  }

  /**
   * Makes the config and manifest of an image whose layer blobs need not be stored (they live in
   * a registry the image is pushed to, which mounts them) and puts those two blobs in the content
   * store, without registering or checking the image: nothing local refers to a missing blob, and
   * an untagged image is pruned like any leftover.
   *
   * @param config the config; its {@code rootfs.diff_ids} are set from {@code layers} when empty
   * @param layers the layers, base first
   * @return the image (push it by its manifest bytes)
   */
  public Image compose(ImageConfig config, List<Layer> layers) throws IOException {
    return write(config, layers, false);
  }

  private Image write(ImageConfig config, List<Layer> layers, boolean stored)
      throws IOException {
    List<Digest> diffIds = new ArrayList<>();
    List<Descriptor> layerDescriptors = new ArrayList<>();
    for (Layer layer : layers) {
      if (stored && !content.contains(layer.blob().digest())) {
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
    return writeManifest(OciJson.toBytes(finalConfig), finalConfig, layerDescriptors, stored);
  }

  /**
   * Stores an image whose config bytes must be kept exactly (so the image ID stays the same), for
   * example one loaded from a {@code docker save} archive. A manifest is made for it like {@link
   * #write(ImageConfig, List)} does.
   *
   * @param configBytes the config JSON, stored byte for byte
   * @param layers the layers, base first; their blobs must be stored
   * @throws IOException if the config cannot be parsed or its diff_ids disagree with {@code layers}
   */
  public Image write(byte[] configBytes, List<Layer> layers) throws IOException {
    ImageConfig config;
    try {
      config = OciJson.fromBytes(configBytes, ImageConfig.class);
    } catch (IOException | RuntimeException e) {
      throw new IOException("Tried to store an image config but failed because: "
          + e.getMessage(), e);
    }
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
    if (!config.rootfs().diffIds().equals(diffIds)) {
      throw new IOException("Tried to store an image but failed because: its config lists"
          + " diff_ids " + config.rootfs().diffIds() + " but the layers are " + diffIds);
    }
    return writeManifest(configBytes, config, layerDescriptors, true);
  }

  /**
   * Stores config and manifest: Docker schema 2 when every layer has a Docker media type (what
   * {@code docker push} sends), otherwise OCI (zstd and plain tar layers have no Docker type).
   */
  private Image writeManifest(byte[] configBytes, ImageConfig config, List<Descriptor> layers,
      boolean register) throws IOException {
    boolean docker = true;
    for (Descriptor layer : layers) {
      docker &= layer.mediaType().startsWith("application/vnd.docker.");
    }
    Descriptor configDescriptor = content.put(
        docker ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG, configBytes);
    ImageManifest manifest;
    if (docker) {
      manifest = ImageManifest.docker(configDescriptor, layers);
    } else {
      List<Descriptor> oci = new ArrayList<>();
      for (Descriptor layer : layers) {
        String type = MediaTypes.DOCKER_LAYER_GZIP.equals(layer.mediaType())
            ? MediaTypes.OCI_LAYER_GZIP : layer.mediaType();
        oci.add(Descriptor.of(type, layer.digest(), layer.size()));
      }
      manifest = ImageManifest.oci(configDescriptor, oci);
    }
    byte[] manifestBytes = OciJson.toBytes(manifest);
    Descriptor manifestDescriptor = content.put(manifest.mediaType(), manifestBytes);
    if (register) {
      register(manifestDescriptor);
    }
    return new Image(manifestDescriptor, manifest, manifestBytes, configDescriptor, configBytes,
        config);
  }

  /**
   * Every stored image (tagged or not, "dangling" in Docker's words) as its manifest descriptor,
   * sorted by digest. Images are registered when written, stored or tagged.
   */
  public List<Descriptor> listAll() throws IOException {
    List<Descriptor> all = new ArrayList<>();
    try (var files = Files.list(manifests)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (!name.matches("[0-9a-f]{64}")) {
          continue;
        }
        try {
          all.add(OciJson.fromBytes(Files.readAllBytes(file), Descriptor.class));
        } catch (NoSuchFileException e) {
          // removed meanwhile
        } catch (IOException | RuntimeException e) {
          // A damaged record (crash while writing is impossible: writes are atomic): list it
          // with what the name says, so that verify and prune see it.
          all.add(Descriptor.of(MediaTypes.OCI_MANIFEST, new Digest("sha256", name), 0));
        }
      }
    }
    all.sort((a, b) -> a.digest().hex().compareTo(b.digest().hex()));
    return all;
  }

  /**
   * Forgets a stored image: removes its registration, then deletes its manifest blob and, unless
   * another registered image uses it, its config blob. Tags pointing at it must be removed first.
   * Layers are left for garbage collection ({@code Pruner}), since other images may share them.
   *
   * @return the digests of the deleted blobs (manifest first)
   * @throws IOException if a tag still points at the manifest
   */
  public List<Digest> delete(Digest manifestDigest) throws IOException {
    for (TaggedImage t : list()) {
      if (t.manifest().digest().equals(manifestDigest)) {
        throw new IOException("Tried to delete image " + manifestDigest + " but failed because:"
            + " it is still tagged " + t.reference().familiar());
      }
    }
    Digest config = null;
    try {
      config = load(manifestDigest).id();
    } catch (IOException e) {
      // A broken image: delete what is there.
    }
    Files.deleteIfExists(manifests.resolve(manifestDigest.hex()));
    List<Digest> deleted = new ArrayList<>();
    if (content.delete(manifestDigest)) {
      deleted.add(manifestDigest);
    }
    if (config != null && !configInUse(config)) {
      if (content.delete(config)) {
        deleted.add(config);
      }
    }
    return deleted;
  }

  private boolean configInUse(Digest config) throws IOException {
    for (Descriptor d : listAll()) {
      try {
        if (load(d.digest()).id().equals(config)) {
          return true;
        }
      } catch (IOException e) {
        // broken images do not hold their config
      }
    }
    return false;
  }

  /**
   * Temp files of interrupted atomic writes (tag database, registrations) older than a minute;
   * younger ones may belong to a write in progress.
   */
  public List<Path> leftovers() throws IOException {
    List<Path> stale = new ArrayList<>();
    for (Path dir : List.of(tags.file().getParent(), manifests)) {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          String name = f.getFileName().toString();
          try {
            if (name.startsWith(".") && name.endsWith(".tmp")
                && Files.getLastModifiedTime(f).toMillis() < System.currentTimeMillis() - 60_000) {
              stale.add(f);
            }
          } catch (NoSuchFileException e) {
            // finished meanwhile
          }
        }
      }
    }
    return stale;
  }

  /** Removes the registration of an image whose manifest is gone (repairs). */
  public boolean unregister(Digest manifestDigest) throws IOException {
    return Files.deleteIfExists(manifests.resolve(manifestDigest.hex()));
  }

  /** Records a manifest as a stored image (idempotent). */
  private void register(Descriptor manifest) throws IOException {
    if (!MediaTypes.isManifest(manifest.mediaType())) {
      return;
    }
    Path file = manifests.resolve(manifest.digest().hex());
    if (!Files.exists(file)) {
      FileLocks.writeAtomically(file, OciJson.toBytes(Descriptor.of(manifest.mediaType(),
          manifest.digest(), manifest.size())));
    }
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
    Image image = assemble(manifest, manifestBytes, descriptor);
    register(descriptor);
    return image;
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
      // Jackson's own message has a second line ("at [Source: …]"); errors are one line.
      throw new IOException("Tried to read image manifest " + digest + " but failed because: "
          + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
              ? j.getOriginalMessage() : e.getMessage()), e);
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
    String key = TagDatabase.key(ref);
    register(manifest);
    tags.update(all -> {
      all.put(key, Descriptor.of(manifest.mediaType(), manifest.digest(), manifest.size()));
      return true;
    });
  }

  /**
   * Removes a tag.
   *
   * @return true if it existed
   */
  public boolean untag(ImageReference ref) throws IOException {
    String key = TagDatabase.key(ref);
    return tags.update(all -> all.remove(key) != null);
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
    return Optional.ofNullable(tags.read().get(TagDatabase.key(ref)));
  }

  /** Every tag, sorted by reference. */
  public List<TaggedImage> list() throws IOException {
    List<TaggedImage> list = new ArrayList<>();
    for (Map.Entry<String, Descriptor> e : tags.read().entrySet()) {
      list.add(new TaggedImage(ImageReference.parse(e.getKey()), e.getValue()));
    }
    return list;
  }
}
