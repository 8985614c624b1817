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
 *       digest); a top-level OCI index may go as a Docker manifest list of the same entries
 *       instead ({@link IndexFormat}), for registries that refuse the OCI media type.
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
   * from the repositories {@code hints} name when they are on the target's registry. A top-level
   * OCI index that the registry refuses is pushed as a Docker manifest list ({@link
   * IndexFormat#OCI_ELSE_DOCKER_LIST}); the result's digest is then the list's.
   *
   * @throws RegistryUnauthorizedException "push to REGISTRY/REPO denied: requested access to the
   *     resource is denied (…)" when the registry refuses the credentials or the push
   */
  public PushResult push(
      ImageReference target, byte[] manifestBytes, String manifestMediaType,
      BlobSource.Provider blobs, MountHints hints) throws IOException, RegistryException {
    return pushImage(target, manifestBytes, manifestMediaType, blobs, hints,
        IndexFormat.OCI_ELSE_DOCKER_LIST).result();
  }

  /**
   * Pushes as {@link #push(ImageReference, byte[], String, BlobSource.Provider, MountHints)}
   * does, sending a top-level OCI index as {@code indexFormat} says, and tells what the registry
   * now holds. A Docker manifest list is serialized once from the index's entries; those exact
   * bytes are what is sent and what the digest is computed over (and checked against the
   * registry's {@code Docker-Content-Digest}).
   *
   * @throws IllegalArgumentException when {@code indexFormat} is {@link IndexFormat#DOCKER_LIST}
   *     and the index cannot be a Docker manifest list (an entry that is no Docker schema 2
   *     manifest or has no platform, or {@code target} names the index's digest)
   */
  public PushedImage pushImage(
      ImageReference target, byte[] manifestBytes, String manifestMediaType,
      BlobSource.Provider blobs, MountHints hints, IndexFormat indexFormat)
      throws IOException, RegistryException {
    Objects.requireNonNull(indexFormat, "indexFormat");
    RegistryClient client = RegistryClient.create(target, options);
    Counts counts = new Counts(hints);
    // Made before anything is sent, so an index that cannot be a Docker list fails at once.
    byte[] dockerList = null;
    if (indexFormat == IndexFormat.DOCKER_LIST && MediaTypes.OCI_INDEX.equals(manifestMediaType)) {
      if (ContentDigests.parseReference(target.manifestReference()) != null) {
        throw new IllegalArgumentException("cannot push " + target + " as a Docker manifest"
            + " list: the digest names the OCI index; push it by tag");
      }
      dockerList = dockerListOf(manifestBytes);
    }
    Descriptor pushed;
    try {
      pushContents(client, manifestBytes, manifestMediaType, blobs, counts, 0);
      pushed = dockerList != null ? putDockerList(client, target.manifestReference(), dockerList)
          : putTopLevel(client, target, manifestBytes, manifestMediaType, indexFormat);
    } catch (RegistryUnauthorizedException e) {
      // Docker's wording, so that scripts and users recognize it; the registry's own reason
      // follows.
      throw new RegistryUnauthorizedException("push to " + target.registry() + "/"
          + target.repository() + " denied: requested access to the resource is denied ("
          + e.getMessage() + ")", e.errorCode().orElse(null), e.statusCode(), e);
    }
    listener.manifestDone(target, pushed.digest());
    return new PushedImage(pushed, new PushResult(pushed.digest(), pushed.size(),
        counts.uploaded.get(), counts.skipped.get(), counts.mounted.get()));
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

  /**
   * Pushes what the manifest {@code bytes} refer to, not the manifest itself: an index's child
   * manifests (each after its own contents, by digest), a manifest's blobs.
   */
  private void pushContents(
      RegistryClient client, byte[] bytes, String mediaType, BlobSource.Provider blobs,
      Counts counts, int depth) throws IOException, RegistryException {
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
        pushContents(client, childBytes, child.mediaType(), blobs, counts, depth + 1);
        client.pushManifest(child.digest().toString(), childBytes, child.mediaType());
      }
    } else if (MediaTypes.isManifest(mediaType)) {
      ImageManifest manifest = OciJson.fromBytes(bytes, ImageManifest.class);
      pushBlobs(client, manifest, blobs, counts);
    } else {
      throw new IllegalArgumentException("cannot push media type " + mediaType
          + ": expected an OCI or Docker image manifest or index");
    }
  }

  /**
   * PUTs the top-level manifest under the target's tag (or digest); an OCI index that the
   * registry refuses goes again as a Docker manifest list unless {@code format} is {@link
   * IndexFormat#OCI}.
   */
  private Descriptor putTopLevel(RegistryClient client, ImageReference target, byte[] bytes,
      String mediaType, IndexFormat format) throws IOException, RegistryException {
    String reference = target.manifestReference();
    try {
      return Descriptor.of(mediaType, client.pushManifest(reference, bytes, mediaType),
          bytes.length);
    } catch (RegistryException refused) {
      // A push by digest cannot become another manifest: the digest names these bytes.
      if (!MediaTypes.OCI_INDEX.equals(mediaType) || format == IndexFormat.OCI
          || ContentDigests.parseReference(reference) != null || !refusesMediaType(refused)) {
        throw refused;
      }
      byte[] list;
      try {
        list = dockerListOf(bytes);
      } catch (IllegalArgumentException e) {
        throw new RegistryException(refused.getMessage() + "; the registry may accept a Docker"
            + " manifest list instead, but this index cannot be one: " + e.getMessage(),
            refused.errorCode().orElse(null), refused.statusCode(), refused);
      }
      String why = "HTTP " + refused.statusCode() + refused.errorCode().map(c -> " " + c)
          .orElse("");
      Descriptor pushed;
      try {
        pushed = putDockerList(client, reference, list);
      } catch (RegistryException second) {
        throw new RegistryException("Tried to push " + target + " as a Docker manifest list,"
            + " after the registry refused the OCI image index (" + why + "), but failed"
            + " because: " + second.getMessage(), second.errorCode().orElse(null),
            second.statusCode(), second);
      }
      listener.warning(target.registry() + " refused the OCI image index for " + target
          + " (" + why + "); pushed the same entries as a Docker manifest list, "
          + pushed.digest());
      return pushed;
    }
  }

  /**
   * True when a manifest PUT failed because of its media type rather than its content: {@code
   * 415 Unsupported Media Type}, or {@code 400} with {@code MANIFEST_INVALID} (older Harbor and
   * Quay, distribution before 2.7) or {@code UNSUPPORTED}. Other failures (auth, missing blobs,
   * server errors) are not retried as a Docker list.
   */
  static boolean refusesMediaType(RegistryException e) {
    if (e instanceof RegistryUnauthorizedException) {
      return false;
    }
    if (e.statusCode() == 415) {
      return true;
    }
    String code = e.errorCode().orElse("");
    return e.statusCode() == 400 && (code.equals("MANIFEST_INVALID")
        || code.equals("UNSUPPORTED"));
  }

  /** The Docker manifest list of the OCI index {@code indexBytes}, serialized once. */
  private static byte[] dockerListOf(byte[] indexBytes) throws IOException {
    return OciJson.toBytes(OciJson.fromBytes(indexBytes, ImageIndex.class)
        .toDockerManifestList());
  }

  private static Descriptor putDockerList(RegistryClient client, String reference, byte[] list)
      throws RegistryException {
    // ManifestPusher digests these bytes, sends them unchanged and checks the registry's digest.
    Digest digest = client.pushManifest(reference, list, MediaTypes.DOCKER_MANIFEST_LIST);
    return Descriptor.of(MediaTypes.DOCKER_MANIFEST_LIST, digest, list.length);
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
