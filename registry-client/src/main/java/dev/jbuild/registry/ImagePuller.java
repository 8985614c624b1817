package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Pulls an image for one platform into a {@link BlobSink}:
 *
 * <ol>
 *   <li>fetches the reference's manifest; an index (or Docker manifest list) is resolved to the
 *       first entry for the platform, recursively for nested indexes;
 *   <li>reads the config from the sink when it has it ({@link BlobSink#read}), else downloads and
 *       stores it;
 *   <li>streams each layer the sink lacks into a {@link BlobSink.Writer}, several at a time,
 *       committing only verified content (see {@link BlobSink}). Transient failures are retried
 *       by {@link RegistryClient}; a blob whose digest or size does not match fails the pull at
 *       once (the registry would send the same bytes again);
 *   <li>checks every layer, downloaded or already present, against the config's
 *       {@code rootfs.diff_ids} in order ({@link BlobSink#diffId}), as {@code docker load} does:
 *       an image whose layers are not the ones its config describes is refused before the caller
 *       gets to store or tag it.
 * </ol>
 *
 * <p>Thread-safe; one puller may run several pulls.
 */
public final class ImagePuller {
  /** docker pull downloads up to 3 layers at once. */
  public static final int DEFAULT_PARALLELISM = 3;
  private static final int MAX_INDEX_DEPTH = 4;
  private static final long MAX_CONFIG_BYTES = 64L << 20;

  private final RegistryOptions options;
  private final ProgressListener listener;
  private final int parallelism;

  private ImagePuller(RegistryOptions options, ProgressListener listener, int parallelism) {
    this.options = Objects.requireNonNull(options, "options");
    this.listener = Objects.requireNonNull(listener, "listener");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1");
    }
    this.parallelism = parallelism;
  }

  /** A puller with {@link #DEFAULT_PARALLELISM} parallel downloads. */
  public static ImagePuller create(RegistryOptions options, ProgressListener listener) {
    return new ImagePuller(options, listener, DEFAULT_PARALLELISM);
  }

  /** A puller with at most {@code parallelism} parallel downloads. */
  public static ImagePuller create(
      RegistryOptions options, ProgressListener listener, int parallelism) {
    return new ImagePuller(options, listener, parallelism);
  }

  /**
   * Pulls {@code source} for {@code platform} (use {@link Platform#host()} for this machine's).
   *
   * @throws ManifestUnknownException if the tag or digest does not exist
   * @throws RegistryException if the registry fails, the index has no entry for the platform, or
   *     content does not verify
   * @throws IOException if the sink fails
   */
  public PullResult pull(ImageReference source, Platform platform, BlobSink sink)
      throws IOException, RegistryException {
    RegistryClient client = RegistryClient.create(source, options);
    String action = "pull " + source + " for platform " + platform;
    ManifestResponse response = client.pullManifest(source.manifestReference());
    Digest indexDigest = null;
    for (int depth = 0; MediaTypes.isIndex(response.mediaType()); depth++) {
      if (depth == MAX_INDEX_DEPTH) {
        throw new RegistryErrorExceptionBuilder(action).failure("its indexes"
            + " are nested more than " + MAX_INDEX_DEPTH + " deep");
      }
      if (indexDigest == null) {
        indexDigest = response.digest();
      }
      ImageIndex index = parse(action, response, ImageIndex.class);
      Descriptor selected = index.select(platform).orElseThrow(() ->
          new RegistryErrorExceptionBuilder(action).failure("the image has no variant for "
              + platform + " (it has " + platforms(index) + ")"));
      response = client.pullManifest(selected.digest().toString());
    }
    if (!MediaTypes.isManifest(response.mediaType())) {
      throw new RegistryErrorExceptionBuilder(action).failure("the registry sent"
          + " a manifest of unsupported type " + response.mediaType()
          + " (schema 1 and artifacts are not supported)");
    }
    ImageManifest manifest = parse(action, response, ImageManifest.class);
    listener.manifestDone(source, response.digest());

    AtomicInteger pulled = new AtomicInteger();
    AtomicInteger skipped = new AtomicInteger();
    byte[] config = pullConfig(client, manifest.config(), sink, pulled, skipped);
    Map<Digest, Digest> diffIds = expectedDiffIds("pull " + source, manifest, config);

    Map<Digest, Descriptor> layers = new LinkedHashMap<>();
    for (Descriptor layer : manifest.layers()) {
      layers.putIfAbsent(layer.digest(), layer);
    }
    List<ParallelTransfers.Transfer> transfers = new ArrayList<>();
    for (Descriptor layer : layers.values()) {
      transfers.add(() -> {
        if (sink.contains(layer.digest())) {
          checkDiffId("pull " + source, layer, diffIds.get(layer.digest()), sink);
          skipped.incrementAndGet();
          listener.blobSkipped(layer);
          return;
        }
        listener.blobStarted(layer);
        try (BlobSink.Writer writer = sink.newWriter(layer)) {
          client.pullBlob(layer, writer.stream(), bytes -> listener.blobProgress(layer, bytes));
          writer.commit();
        }
        checkDiffId("pull " + source, layer, diffIds.get(layer.digest()), sink);
        pulled.incrementAndGet();
        listener.blobDone(layer);
      });
    }
    ParallelTransfers.runAll(transfers, parallelism, "pull");
    return new PullResult(response.digest(), response.bytes(), response.mediaType(), manifest,
        config, indexDigest, pulled.get(), skipped.get());
  }

  /**
   * The DiffID the config expects for each layer blob. A blob listed twice must be expected to
   * have the same DiffID both times, since it can only have one.
   */
  private static Map<Digest, Digest> expectedDiffIds(String action, ImageManifest manifest,
      byte[] configBytes) throws RegistryException {
    ImageConfig config;
    try {
      config = OciJson.fromBytes(configBytes, ImageConfig.class);
    } catch (IOException e) {
      throw new RegistryErrorExceptionBuilder(action).failure("its config "
          + manifest.config().digest() + " is not a valid image config (" + e.getMessage() + ")",
          e);
    }
    List<Digest> diffIds = config.rootfs() == null ? List.of() : config.rootfs().diffIds();
    if (diffIds.size() != manifest.layers().size()) {
      throw new RegistryErrorExceptionBuilder(action).contentMismatch("its"
          + " manifest lists " + manifest.layers().size() + " layers but its config's"
          + " rootfs.diff_ids lists " + diffIds.size());
    }
    Map<Digest, Digest> expected = new HashMap<>();
    for (int i = 0; i < diffIds.size(); i++) {
      Digest blob = manifest.layers().get(i).digest();
      Digest earlier = expected.putIfAbsent(blob, diffIds.get(i));
      if (earlier != null && !earlier.equals(diffIds.get(i))) {
        throw new RegistryErrorExceptionBuilder(action).contentMismatch(
            "layer " + blob + " appears twice with different rootfs.diff_ids (" + earlier
            + " and " + diffIds.get(i) + ")");
      }
    }
    return expected;
  }

  /** Refuses a layer whose uncompressed content is not what the config says. */
  private static void checkDiffId(String action, Descriptor layer, Digest expected, BlobSink sink)
      throws IOException, RegistryException {
    Digest actual;
    try {
      actual = sink.diffId(layer);
    } catch (IOException e) {
      throw new RegistryErrorExceptionBuilder(action).contentMismatch("layer "
          + layer.digest() + " was refused: " + e.getMessage());
    }
    if (!actual.equals(expected)) {
      throw new RegistryErrorExceptionBuilder(action).contentMismatch("layer "
          + layer.digest() + " has DiffID " + actual + " but the image config's rootfs.diff_ids"
          + " says " + expected);
    }
  }

  private byte[] pullConfig(
      RegistryClient client, Descriptor config, BlobSink sink, AtomicInteger pulled,
      AtomicInteger skipped) throws IOException, RegistryException {
    if (config.size() > MAX_CONFIG_BYTES) {
      throw new RegistryErrorExceptionBuilder("pull config " + config.digest())
          .failure("it is unreasonably large (" + config.size() + " bytes)");
    }
    if (sink.contains(config.digest())) {
      java.util.Optional<byte[]> local = sink.read(config.digest());
      if (local.isPresent() && local.get().length == config.size() && ContentDigests.of(
          local.get(), config.digest().algorithm()).equals(config.digest())) {
        skipped.incrementAndGet();
        listener.blobSkipped(config);
        return local.get();
      }
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream((int) config.size());
    client.pullBlob(config, buffer);
    byte[] bytes = buffer.toByteArray();
    if (sink.contains(config.digest())) {
      skipped.incrementAndGet();
      listener.blobSkipped(config);
    } else {
      try (BlobSink.Writer writer = sink.newWriter(config)) {
        writer.stream().write(bytes);
        writer.commit();
      }
      pulled.incrementAndGet();
      listener.blobDone(config);
    }
    return bytes;
  }

  private static <T> T parse(String action, ManifestResponse response, Class<T> type)
      throws RegistryException {
    try {
      return OciJson.fromBytes(response.bytes(), type);
    } catch (IOException e) {
      throw new RegistryErrorExceptionBuilder(action).failure("manifest "
          + response.digest() + " is not a valid " + response.mediaType() + " ("
          + e.getMessage() + ")", e);
    }
  }

  private static String platforms(ImageIndex index) {
    String list = index.manifests().stream()
        .map(d -> d.platform() == null ? "no platform" : d.platform().toString())
        .collect(Collectors.joining(", "));
    return list.isEmpty() ? "no entries" : list;
  }
}
