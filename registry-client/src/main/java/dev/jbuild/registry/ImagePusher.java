package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pushes an image (a manifest, or an index with its child manifests) with the blobs it references,
 * as {@code docker push} does:
 *
 * <ol>
 *   <li>for an index, each child manifest is pushed first, by digest, with its blobs;
 *   <li>for a manifest, each distinct blob (config and layers) is checked with {@code HEAD}; a
 *       missing one is mounted from another repository of the same registry when
 *       {@link MountHints} know one, else uploaded; several blobs at a time;
 *   <li>then the manifest bytes are {@code PUT} exactly as given, under the target's tag (or
 *       digest).
 * </ol>
 *
 * <p>Thread-safe; one pusher may run several pushes.
 */
public final class ImagePusher {
  /** dockerd's max-concurrent-uploads default: 5 layers at once; registries dislike much more. */
  public static final int DEFAULT_PARALLELISM = 5;
  private static final int MAX_INDEX_DEPTH = 4;

  private final RegistryOptions options;
  private final ProgressListener listener;
  private final int parallelism;

  private ImagePusher(RegistryOptions options, ProgressListener listener, int parallelism) {
    this.options = Objects.requireNonNull(options, "options");
    this.listener = Objects.requireNonNull(listener, "listener");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1");
    }
    this.parallelism = parallelism;
  }

  /** A pusher with {@link #DEFAULT_PARALLELISM} parallel uploads. */
  public static ImagePusher create(RegistryOptions options, ProgressListener listener) {
    return new ImagePusher(options, listener, DEFAULT_PARALLELISM);
  }

  /** A pusher with at most {@code parallelism} parallel uploads. */
  public static ImagePusher create(
      RegistryOptions options, ProgressListener listener, int parallelism) {
    return new ImagePusher(options, listener, parallelism);
  }

  /**
   * Pushes the image whose top-level manifest is {@code manifestBytes} to {@code target}.
   *
   * @param target where to push; its tag (or, without a tag, its digest) names the manifest
   * @param manifestBytes the manifest or index, pushed byte for byte
   * @param manifestMediaType its media type: an OCI or Docker manifest, or an OCI index or Docker
   *     manifest list
   * @param blobs the local content: every blob the manifests reference that the registry lacks,
   *     and, for an index, the bytes of each child manifest
   * @return the pushed digest, its size and how many blobs were uploaded or skipped
   * @throws IOException if local content is missing, unreadable or does not match its descriptor
   * @throws RegistryException if the registry fails or refuses
   */
  public PushResult push(
      ImageReference target, byte[] manifestBytes, String manifestMediaType,
      BlobSource.Provider blobs) throws IOException, RegistryException {
    return push(target, manifestBytes, manifestMediaType, blobs, MountHints.NONE);
  }

  /**
   * Same as {@link #push(ImageReference, byte[], String, BlobSource.Provider)}, mounting blobs
   * from the repositories {@code hints} name when they are on the target's registry.
   *
   * @throws RegistryUnauthorizedException "push to REGISTRY/REPO denied: requested access to the
   *     resource is denied (…)" when the registry refuses the credentials or the push
   */
  public PushResult push(
      ImageReference target, byte[] manifestBytes, String manifestMediaType,
      BlobSource.Provider blobs, MountHints hints) throws IOException, RegistryException {
    RegistryClient client = RegistryClient.create(target, options);
    Counts counts = new Counts(hints);
    Digest digest;
    try {
      digest = pushManifest(client, target.manifestReference(), manifestBytes,
          manifestMediaType, blobs, counts, 0);
    } catch (RegistryUnauthorizedException e) {
      // Docker's wording, so that scripts and users recognize it; the registry's own reason
      // follows.
      throw new RegistryUnauthorizedException("push to " + target.registry() + "/"
          + target.repository() + " denied: requested access to the resource is denied ("
          + e.getMessage() + ")", e.errorCode().orElse(null), e.statusCode(), e);
    }
    listener.manifestDone(target, digest);
    return new PushResult(digest, manifestBytes.length, counts.uploaded.get(),
        counts.skipped.get(), counts.mounted.get());
  }

  private static final class Counts {
    final AtomicInteger uploaded = new AtomicInteger();
    final AtomicInteger skipped = new AtomicInteger();
    final AtomicInteger mounted = new AtomicInteger();
    final MountHints hints;

    Counts(MountHints hints) {
      this.hints = hints;
    }
  }

  private Digest pushManifest(
      RegistryClient client, String reference, byte[] bytes, String mediaType,
      BlobSource.Provider blobs, Counts counts, int depth) throws IOException, RegistryException {
    if (MediaTypes.isIndex(mediaType)) {
      if (depth >= MAX_INDEX_DEPTH) {
        throw new IOException("image indexes are nested more than " + MAX_INDEX_DEPTH + " deep");
      }
      ImageIndex index = OciJson.fromBytes(bytes, ImageIndex.class);
      for (Descriptor child : index.manifests()) {
        if (!MediaTypes.isManifest(child.mediaType()) && !MediaTypes.isIndex(child.mediaType())) {
          throw new IOException("cannot push index entry " + child.digest() + " of media type "
              + child.mediaType() + ": only image manifests and indexes are supported");
        }
        byte[] childBytes = readVerified(blobs, child);
        pushManifest(client, child.digest().toString(), childBytes, child.mediaType(), blobs,
            counts, depth + 1);
      }
    } else if (MediaTypes.isManifest(mediaType)) {
      ImageManifest manifest = OciJson.fromBytes(bytes, ImageManifest.class);
      pushBlobs(client, manifest, blobs, counts);
    } else {
      throw new IllegalArgumentException("cannot push media type " + mediaType
          + ": expected an OCI or Docker image manifest or index");
    }
    return client.pushManifest(reference, bytes, mediaType);
  }

  private void pushBlobs(
      RegistryClient client, ImageManifest manifest, BlobSource.Provider blobs, Counts counts)
      throws IOException, RegistryException {
    // Layers may repeat (for example identical empty layers); push each digest once.
    Map<Digest, Descriptor> distinct = new LinkedHashMap<>();
    distinct.put(manifest.config().digest(), manifest.config());
    for (Descriptor layer : manifest.layers()) {
      distinct.putIfAbsent(layer.digest(), layer);
    }
    List<ParallelTransfers.Transfer> transfers = new ArrayList<>();
    for (Descriptor blob : distinct.values()) {
      transfers.add(() -> {
        if (client.checkBlob(blob.digest()).isPresent()) {
          counts.skipped.incrementAndGet();
          listener.blobSkipped(blob);
          return;
        }
        String mountedFrom = mount(client, blob, counts.hints);
        if (mountedFrom != null) {
          counts.mounted.incrementAndGet();
          listener.blobMounted(blob, mountedFrom);
          return;
        }
        listener.blobStarted(blob);
        client.pushBlob(blob.digest(), blob.size(), blobs.get(blob.digest()),
            bytes -> listener.blobProgress(blob, bytes));
        counts.uploaded.incrementAndGet();
        listener.blobDone(blob);
      });
    }
    ParallelTransfers.runAll(transfers, parallelism, "push");
  }

  /** Tries the hinted repositories of the same registry; the one that worked, or null. */
  private static String mount(RegistryClient client, Descriptor blob, MountHints hints)
      throws RegistryException {
    for (MountHints.Location location : hints.locations(blob.digest())) {
      if (!location.registry().equals(client.registry())
          || location.repository().equals(client.repository())) {
        continue;
      }
      try {
        if (client.mountBlob(blob.digest(), location.repository())) {
          return location.repository();
        }
      } catch (RegistryUnauthorizedException e) {
        // No pull access to the source repository: upload instead, as Docker does.
        continue;
      }
    }
    return null;
  }

  private static byte[] readVerified(BlobSource.Provider blobs, Descriptor descriptor)
      throws IOException {
    if (descriptor.size() > RegistryClient.MAX_MANIFEST_BYTES) {
      throw new IOException("manifest " + descriptor.digest() + " is too large ("
          + descriptor.size() + " bytes)");
    }
    byte[] bytes;
    try (InputStream in = blobs.get(descriptor.digest()).open()) {
      bytes = in.readNBytes((int) descriptor.size() + 1);
    }
    Digest actual = ContentDigests.of(bytes, descriptor.digest().algorithm());
    if (bytes.length != descriptor.size() || !actual.equals(descriptor.digest())) {
      throw new IOException("local content for manifest " + descriptor.digest() + " does not"
          + " match its descriptor (" + bytes.length + " bytes, digest " + actual + ")");
    }
    return bytes;
  }
}
