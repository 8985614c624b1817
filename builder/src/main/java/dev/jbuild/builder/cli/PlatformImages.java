package dev.jbuild.builder.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
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

  /**
   * The entries of the stored index {@code index}.
   *
   * @throws IOException in one line when the blob is missing, corrupt or not an index (an entry
   *     digest that is no valid digest, such as {@code sha256:../x})
   */
  static List<Descriptor> entries(LayerStore store, Descriptor index) throws IOException {
    byte[] bytes = store.content().readAll(index.digest());
    try {
      return OciJson.fromBytes(bytes, ImageIndex.class).manifests();
    } catch (IOException | RuntimeException e) {
      // Jackson's own message has a second line ("at [Source: …]"); errors are one line.
      String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      throw new IOException("Tried to read image index " + index.digest() + " but failed"
          + " because: it is not a valid image index (" + reason + ")", e);
    }
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
