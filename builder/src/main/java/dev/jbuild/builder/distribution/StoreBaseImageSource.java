package dev.jbuild.builder.distribution;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.exec.BaseImageSource;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.registry.RegistryOptions;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/** FROM images come from the local store first, else from their registry (then stored). */
public final class StoreBaseImageSource implements BaseImageSource {
  private final LayerStore store;
  private final RegistryOptions options;
  private final Consumer<String> messages;

  /**
   * Creates the source.
   *
   * @param messages receives one line per pull event, for progress output
   */
  public StoreBaseImageSource(LayerStore store, RegistryOptions options,
      Consumer<String> messages) {
    this.store = store;
    this.options = options;
    this.messages = messages;
  }

  @Override
  public Image resolve(ImageReference ref, Platform platform) throws BuildException {
    return resolve(ref, platform, false);
  }

  @Override
  public Image resolve(ImageReference ref, Platform platform, boolean alwaysPull)
      throws BuildException {
    try {
      // A digest names fixed bytes: --pull cannot get newer ones (and an oci-layout:// context
      // is stored by digest only, with no registry behind it).
      Optional<Descriptor> local = alwaysPull && ref.digest() == null ? Optional.empty()
          : store.images().resolve(ref);
      if (local.isPresent()) {
        Optional<Image> image = forPlatform(local.get(), platform);
        if (image.isPresent()) {
          return image.get();
        }
        // Stored, but for another platform: the registry may have the one asked for.
        messages.accept(ref.familiar() + " is stored for another platform than " + platform);
      }
    } catch (IOException e) {
      throw new BuildException("Tried to read base image " + ref + " from the store but failed"
          + " because: " + e.getMessage(), e);
    }
    messages.accept("pulling " + ref);
    try {
      return new ImageTransfer(store, options, ProgressListener.NONE).pull(ref, platform);
    } catch (RegistryException | IOException e) {
      // The platform is named only when it is not this machine's (a multi-platform build).
      String which = platform.equals(Platform.host()) ? "" : " (" + platform + ")";
      throw new BuildException("base image " + ref.familiar() + which + (alwaysPull
          ? " could not be pulled (--pull): " : " is not in the local store and could not be"
          + " pulled: ") + e.getMessage(), e);
    }
  }

  /**
   * The stored image {@code target} names for {@code platform}: an index's entry for it (when
   * that manifest is stored), or the image itself when its config says it is for that platform.
   */
  private Optional<Image> forPlatform(Descriptor target, Platform platform) throws IOException {
    if (MediaTypes.isIndex(target.mediaType())) {
      ImageIndex index = OciJson.fromBytes(store.content().readAll(target.digest()),
          ImageIndex.class);
      Optional<Descriptor> entry = index.select(platform);
      if (entry.isEmpty() || !store.content().contains(entry.get().digest())) {
        return Optional.empty();
      }
      return Optional.of(store.images().load(entry.get().digest()));
    }
    Image image = store.images().load(target.digest());
    return matches(image, platform) ? Optional.of(image) : Optional.empty();
  }

  /**
   * Whether a stored image is for {@code platform}. An image whose config names no architecture
   * (some hand-made ones) is taken as it is, as before multi-platform builds.
   */
  static boolean matches(Image image, Platform platform) {
    String arch = image.config().architecture();
    if (arch == null || arch.isEmpty()) {
      return true;
    }
    Platform have = new Platform(arch,
        image.config().os() == null ? platform.os() : image.config().os(),
        image.config().variant()).normalized();
    Platform want = platform.normalized();
    return have.os().equals(want.os()) && have.architecture().equals(want.architecture())
        && (want.variant() == null || want.variant().equals(have.variant()));
  }
}
