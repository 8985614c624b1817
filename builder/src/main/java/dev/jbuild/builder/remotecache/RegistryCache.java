package dev.jbuild.builder.remotecache;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.cache.CacheConfig;
import dev.jbuild.builder.cache.CacheSource;
import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.layerstore.content.BlobWriter;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.registry.ManifestResponse;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.registry.RegistryOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cache in a registry: a cache artifact (an OCI manifest whose config is a {@link
 * CacheConfig}), or an ordinary image whose config carries an inline cache label. Opening reads
 * the manifest and the config only; {@link #fetch} downloads one layer, verified by the client
 * while streaming and again by the content store on commit.
 */
final class RegistryCache implements CacheSource {
  /** Cache configs are small (about 250 bytes per step); refuse absurd ones. */
  private static final long MAX_CONFIG_BYTES = 16 << 20;

  private final ImageReference ref;
  private final RegistryClient client;
  private final CacheConfig config;

  private RegistryCache(ImageReference ref, RegistryClient client, CacheConfig config) {
    this.ref = ref;
    this.client = client;
    this.config = config;
  }

  /**
   * Reads the cache at {@code reference} and remembers that its repository holds its layers, so
   * that a push to the same registry mounts them.
   *
   * @throws IOException saying why it cannot be used: unreachable, absent, not a jbuild cache,
   *     written by another cache version
   */
  static RegistryCache open(String reference, RegistryOptions options, ImageTransfer transfer)
      throws IOException {
    ImageReference ref = parse(reference);
    RegistryClient client = RegistryClient.create(ref, options);
    try {
      ManifestResponse response = client.pullManifest(ref.manifestReference());
      if (!MediaTypes.isManifest(response.mediaType())) {
        throw new IOException(ref.familiar() + " is a " + response.mediaType()
            + ", not a cache manifest or a single-platform image");
      }
      ImageManifest manifest = OciJson.fromBytes(response.bytes(), ImageManifest.class);
      if (manifest.config().size() > MAX_CONFIG_BYTES) {
        throw new IOException("its config is " + manifest.config().size() + " bytes");
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      client.pullBlob(manifest.config(), bytes);
      CacheConfig config = CacheConfig.MEDIA_TYPE.equals(manifest.config().mediaType())
          ? CacheConfig.parse(bytes.toByteArray()) : inline(ref, bytes.toByteArray());
      checkVersion(config);
      List<Digest> layers = new ArrayList<>();
      config.entries().forEach(e -> {
        if (e.layer() != null) {
          layers.add(e.layer().digest());
        }
      });
      transfer.rememberLocation(layers, ref);
      return new RegistryCache(ref, client, config);
    } catch (RegistryException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static ImageReference parse(String reference) throws IOException {
    try {
      return ImageReference.parse(reference);
    } catch (IllegalArgumentException e) {
      throw new IOException("invalid reference " + reference + ": " + e.getMessage(), e);
    }
  }

  /** The inline cache label of an image config. */
  private static CacheConfig inline(ImageReference ref, byte[] configBytes) throws IOException {
    ImageConfig image = OciJson.fromBytes(configBytes, ImageConfig.class);
    Map<String, String> labels = image.containerConfig().labels();
    String json = labels == null ? null : labels.get(CacheConfig.INLINE_LABEL);
    if (json == null) {
      throw new IOException(ref.familiar() + " is neither a jbuild cache nor an image built with"
          + " --cache-to type=inline");
    }
    return CacheConfig.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** A cache of another key scheme would never hit: say so instead. */
  static void checkVersion(CacheConfig config) throws IOException {
    if (!BuildCache.VERSION.equals(config.version())) {
      throw new IOException("it was written with cache version " + config.version()
          + ", this jbuild uses " + BuildCache.VERSION);
    }
  }

  @Override
  public String describe() {
    return "registry " + ref.familiar();
  }

  @Override
  public String registry() {
    return ref.registry();
  }

  @Override
  public CacheConfig config() {
    return config;
  }

  @Override
  public void fetch(Descriptor layer, ContentStore content) throws IOException {
    try (BlobWriter writer = content.newWriter()) {
      client.pullBlob(layer, writer.stream());
      writer.commit(layer.mediaType(), layer.digest(), layer.size());
    } catch (RegistryException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Pushes {@code config} as a cache artifact to {@code reference}. Layers that are neither local
   * nor mountable from a repository of the target's registry are fetched first.
   */
  static void export(String reference, CacheConfig config, List<Layer> layers, BuildCache cache,
      ImageTransfer transfer) throws IOException {
    ImageReference ref = parse(reference);
    for (Layer layer : layers) {
      var source = cache.remoteSource(layer.blob().digest());
      if (source.isPresent() && !ref.registry().equals(source.get().registry())) {
        cache.ensureLocal(List.of(layer));
      }
    }
    byte[] configBytes = config.toBytes();
    Descriptor configDescriptor = Descriptor.of(CacheConfig.MEDIA_TYPE,
        Digest.sha256(configBytes), configBytes.length);
    byte[] manifestBytes = OciJson.toBytes(config.manifest(configDescriptor));
    try {
      transfer.pushManifest(ref, manifestBytes, MediaTypes.OCI_MANIFEST,
          Map.of(configDescriptor.digest(), configBytes));
    } catch (RegistryException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
