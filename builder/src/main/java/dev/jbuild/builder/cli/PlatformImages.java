package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** The images of a stored image index (a multi-platform build) by platform. */
final class PlatformImages {
  private PlatformImages() {}

  /** The entries of the stored index {@code index}. */
  static List<Descriptor> entries(LayerStore store, Descriptor index) throws IOException {
    return OciJson.fromBytes(store.content().readAll(index.digest()), ImageIndex.class)
        .manifests();
  }

  /**
   * The image {@code target} names: itself when it is a manifest (and {@code platform} is null
   * or its own), else the index entry for {@code platform} (null: this machine's).
   *
   * @throws IOException naming the platforms there are when none matches
   */
  static Image select(LayerStore store, String name, Descriptor target, Platform platform)
      throws IOException {
    if (!MediaTypes.isIndex(target.mediaType())) {
      return store.images().load(target.digest());
    }
    Platform want = (platform == null ? Platform.host() : platform).normalized();
    List<Descriptor> entries = entries(store, target);
    Optional<Descriptor> entry = new ImageIndex(2, target.mediaType(), entries, null)
        .select(want);
    if (entry.isEmpty()) {
      throw new IOException("image " + name + " has no " + want + " image (it has "
          + String.join(", ", entries.stream().map(d -> String.valueOf(d.platform())).toList())
          + "); pick one with --platform");
    }
    return store.images().load(entry.get().digest());
  }
}
