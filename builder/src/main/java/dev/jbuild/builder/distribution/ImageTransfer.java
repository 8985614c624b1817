package dev.jbuild.builder.distribution;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.RepoDigests;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.BlobSource;
import dev.jbuild.registry.ImagePuller;
import dev.jbuild.registry.ImagePusher;
import dev.jbuild.registry.IndexFormat;
import dev.jbuild.registry.MountHints;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.registry.PullResult;
import dev.jbuild.registry.PushResult;
import dev.jbuild.registry.PushedImage;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.registry.RegistryOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pulls images into the store and pushes stored images. Remembers which repositories hold each
 * blob ({@link BlobLocations}) so that pushes mount blobs across repositories of the same registry
 * instead of uploading them. Thread-safe.
 */
public final class ImageTransfer {
  private final LayerStore store;
  private final RegistryOptions options;
  private final ProgressListener progress;
  private final BlobLocations locations;

  /** What {@link #pullImage} fetched. */
  public record Pulled(Image image, PullResult result) {
    /**
     * The digest Docker prints and records as the repo digest: the index's when the reference
     * named a multi-platform image, else the manifest's.
     */
    public Digest repoDigest() {
      return result.indexDigest() != null ? result.indexDigest() : result.manifestDigest();
    }
  }

  /** Creates a transfer over {@code store} with these registry settings and progress events. */
  public ImageTransfer(LayerStore store, RegistryOptions options, ProgressListener progress) {
    this.store = store;
    this.options = options;
    this.progress = progress;
    this.locations = new BlobLocations(store.root());
  }

  /**
   * Pulls {@code ref} for {@code platform} into the store and tags it.
   *
   * @return the stored image
   */
  public Image pull(ImageReference ref, Platform platform)
      throws RegistryException, IOException {
    return pullImage(ref, platform).image();
  }

  /**
   * Like {@link #pull} but also says what was transferred.
   */
  public Pulled pullImage(ImageReference ref, Platform platform)
      throws RegistryException, IOException {
    PullResult result =
        ImagePuller.create(options, progress).pull(ref, platform, new StoreBlobSink(store.content()));
    Image image = store.images().store(result.manifestBytes(), result.mediaType());
    store.images().tag(ref, image.manifestDescriptor());
    locations.record(blobsOf(image), new MountHints.Location(ref.registry(), ref.repository()));
    Pulled pulled = new Pulled(image, result);
    new RepoDigests(store.root()).record(image.manifestDigest(), ref.familiarName(),
        pulled.repoDigest());
    return pulled;
  }

  /**
   * The stored file itself, without the store's verifying stream: the registry checks the digest
   * of every upload (DIGEST_INVALID), so hashing it here too would only halve the push rate, and a
   * plain file stream skips to a chunk's offset without reading what comes before. A layer still
   * kept as its snapshot is sent as it is made, never written to the store.
   */
  private java.io.InputStream openForPush(Digest digest) throws IOException {
    return store.content().openToSend(digest);
  }

  private static List<Digest> blobsOf(Image image) {
    List<Digest> blobs = new ArrayList<>();
    blobs.add(image.configDescriptor().digest());
    image.manifest().layers().forEach(layer -> blobs.add(layer.digest()));
    return blobs;
  }

  /**
   * Pushes the stored image tagged {@code ref} to the registry {@code ref} names, sending the
   * exact manifest bytes that were stored.
   *
   * @throws IOException when the store has no image tagged {@code ref}
   */
  public PushResult push(ImageReference ref) throws RegistryException, IOException {
    return pushStored(ref, IndexFormat.OCI_ELSE_DOCKER_LIST).result();
  }

  /**
   * Like {@link #push(ImageReference)}, sending a stored OCI index as {@code indexFormat} says,
   * and tells what the registry now holds: for an index pushed as a Docker manifest list, the
   * list's descriptor (the stored tag still names the OCI index; the list's digest is recorded
   * as the repo digest). A refusal that made jbuild fall back is one {@link
   * ProgressListener#warning}.
   */
  public PushedImage pushStored(ImageReference ref, IndexFormat indexFormat)
      throws RegistryException, IOException {
    Optional<Descriptor> manifest = store.images().resolve(ref);
    if (manifest.isEmpty()) {
      throw new IOException("An image does not exist locally with the tag: " + ref.familiar());
    }
    if (MediaTypes.isIndex(manifest.get().mediaType())) {
      return pushIndex(ref, manifest.get(), indexFormat);
    }
    Image image = store.images().load(manifest.get().digest());
    PushedImage pushed = ImagePusher.create(options, progress).pushImage(ref,
        image.manifestBytes(), image.manifestDescriptor().mediaType(),
        digest -> () -> openForPush(digest), locations, indexFormat);
    locations.record(blobsOf(image), new MountHints.Location(ref.registry(), ref.repository()));
    // Only now, after the registry accepted the manifest: a failed push records nothing.
    new RepoDigests(store.root()).record(image.manifestDigest(), ref.familiarName(),
        pushed.result().digest());
    return pushed;
  }

  /**
   * Pushes a stored index (a multi-platform build): every entry's manifest and blobs, then the
   * index bytes as stored. Its entries are Docker schema 2 manifests under an OCI index, which
   * distribution registries (docker-registry 2.7+, Docker Hub, GHCR) accept as BuildKit pushes
   * them with {@code oci-mediatypes=true}; a registry that refuses the OCI index gets the same
   * entries as a Docker manifest list ({@link IndexFormat}).
   */
  private PushedImage pushIndex(ImageReference ref, Descriptor index, IndexFormat indexFormat)
      throws RegistryException, IOException {
    byte[] bytes = store.content().readAll(index.digest());
    PushedImage pushed = ImagePusher.create(options, progress).pushImage(ref, bytes,
        index.mediaType(), digest -> () -> openForPush(digest), locations, indexFormat);
    PushResult result = pushed.result();
    List<Digest> blobs = new ArrayList<>();
    for (Descriptor entry : OciJson.fromBytes(bytes, ImageIndex.class).manifests()) {
      if (store.content().contains(entry.digest())) {
        blobs.addAll(blobsOf(store.images().load(entry.digest())));
      }
    }
    locations.record(blobs, new MountHints.Location(ref.registry(), ref.repository()));
    new RepoDigests(store.root()).record(index.digest(), ref.familiarName(), result.digest());
    return pushed;
  }

  /**
   * Pushes {@code image}, which need not be stored or tagged (a build whose cached layers stayed
   * in the registry): its config comes from the image, its layers from the store or, when absent,
   * by mounting from a repository of the same registry known to hold them ({@link
   * #rememberLocation}).
   */
  public PushResult push(ImageReference ref, Image image) throws RegistryException, IOException {
    return pushManifest(ref, image.manifestBytes(), image.manifestDescriptor().mediaType(),
        Map.of(image.configDescriptor().digest(), image.configBytes()));
  }

  /**
   * Pushes manifest bytes whose blobs are in the store, in {@code extra} (blobs kept in memory,
   * such as a config that is not stored) or mountable from a remembered location.
   */
  public PushResult pushManifest(ImageReference ref, byte[] manifestBytes, String mediaType,
      Map<Digest, byte[]> extra) throws RegistryException, IOException {
    PushResult result = ImagePusher.create(options, progress).push(ref, manifestBytes, mediaType,
        digest -> extra.containsKey(digest)
            ? BlobSource.of(extra.get(digest)) : () -> openForPush(digest),
        locations);
    ImageManifest manifest = OciJson.fromBytes(manifestBytes, ImageManifest.class);
    List<Digest> blobs = new ArrayList<>();
    blobs.add(manifest.config().digest());
    manifest.layers().forEach(layer -> blobs.add(layer.digest()));
    locations.record(blobs, new MountHints.Location(ref.registry(), ref.repository()));
    return result;
  }

  /**
   * Remembers that the repository of {@code ref} holds {@code digests} (an imported cache's
   * layers), so that a push to another repository of that registry mounts them.
   */
  public void rememberLocation(Iterable<Digest> digests, ImageReference ref) {
    locations.record(digests, new MountHints.Location(ref.registry(), ref.repository()));
  }
}
