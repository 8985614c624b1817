package dev.jbuild.builder.distribution;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.ImagePuller;
import dev.jbuild.registry.ImagePusher;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.registry.PullResult;
import dev.jbuild.registry.PushResult;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.registry.RegistryOptions;
import java.io.IOException;
import java.util.Optional;

/** Pulls images into the store and pushes stored images. Thread-safe. */
public final class ImageTransfer {
  private final LayerStore store;
  private final RegistryOptions options;
  private final ProgressListener progress;

  /** Creates a transfer over {@code store} with these registry settings and progress events. */
  public ImageTransfer(LayerStore store, RegistryOptions options, ProgressListener progress) {
    this.store = store;
    this.options = options;
    this.progress = progress;
  }

  /**
   * Pulls {@code ref} for {@code platform} into the store and tags it.
   *
   * @return the stored image
   */
  public Image pull(ImageReference ref, Platform platform)
      throws RegistryException, IOException {
    PullResult result =
        ImagePuller.create(options, progress).pull(ref, platform, new StoreBlobSink(store.content()));
    Image image = store.images().store(result.manifestBytes(), result.mediaType());
    store.images().tag(ref, image.manifestDescriptor());
    return image;
  }

  /**
   * Pushes the stored image tagged {@code ref} to the registry {@code ref} names, sending the
   * exact manifest bytes that were stored.
   *
   * @throws IOException when the store has no image tagged {@code ref}
   */
  public PushResult push(ImageReference ref) throws RegistryException, IOException {
    Optional<Descriptor> manifest = store.images().resolve(ref);
    if (manifest.isEmpty()) {
      throw new IOException("An image does not exist locally with the tag: " + ref.familiar());
    }
    Image image = store.images().load(manifest.get().digest());
    return ImagePusher.create(options, progress).push(ref, image.manifestBytes(),
        image.manifestDescriptor().mediaType(), digest -> () -> store.content().open(digest));
  }
}
