package dev.jbuild.builder.distribution;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.exec.BaseImageSource;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;
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
      Optional<Descriptor> local = alwaysPull ? Optional.empty() : store.images().resolve(ref);
      if (local.isPresent()) {
        return store.images().load(local.get().digest());
      }
    } catch (IOException e) {
      throw new BuildException("Tried to read base image " + ref + " from the store but failed"
          + " because: " + e.getMessage(), e);
    }
    messages.accept("pulling " + ref);
    try {
      return new ImageTransfer(store, options, ProgressListener.NONE).pull(ref, platform);
    } catch (RegistryException | IOException e) {
      throw new BuildException("base image " + ref.familiar() + (alwaysPull
          ? " could not be pulled (--pull): " : " is not in the local store and could not be"
          + " pulled: ") + e.getMessage(), e);
    }
  }
}
