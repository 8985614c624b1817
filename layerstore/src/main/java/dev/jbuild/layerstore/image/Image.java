package dev.jbuild.layerstore.image;

import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A stored single-platform image: the manifest and config as parsed values and as the exact bytes
 * that were hashed (push, save and inspect those bytes; never re-serialize).
 *
 * @param manifestDescriptor the manifest's descriptor (its digest is the image's repo digest)
 * @param manifest the parsed manifest
 * @param manifestBytes the manifest bytes
 * @param configDescriptor the config's descriptor
 * @param configBytes the config bytes
 * @param config the parsed config
 */
public record Image(
    Descriptor manifestDescriptor,
    ImageManifest manifest,
    byte[] manifestBytes,
    Descriptor configDescriptor,
    byte[] configBytes,
    ImageConfig config) {

  /** Validates that manifest layers and config diff_ids pair up. */
  public Image {
    Objects.requireNonNull(manifestDescriptor, "manifestDescriptor");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(manifestBytes, "manifestBytes");
    Objects.requireNonNull(configDescriptor, "configDescriptor");
    Objects.requireNonNull(configBytes, "configBytes");
    Objects.requireNonNull(config, "config");
    if (manifest.layers().size() != config.rootfs().diffIds().size()) {
      throw new IllegalArgumentException("image " + manifestDescriptor.digest() + " has "
          + manifest.layers().size() + " layers but " + config.rootfs().diffIds().size()
          + " diff_ids");
    }
  }

  /** The layers, base first: manifest layer descriptors paired with the config's diff_ids. */
  public List<Layer> layers() {
    List<Layer> layers = new ArrayList<>();
    List<Digest> diffIds = config.rootfs().diffIds();
    for (int i = 0; i < diffIds.size(); i++) {
      layers.add(new Layer(manifest.layers().get(i), diffIds.get(i)));
    }
    return layers;
  }

  /** Docker's image ID: the config digest. */
  public Digest id() {
    return configDescriptor.digest();
  }

  /** The manifest digest. */
  public Digest manifestDigest() {
    return manifestDescriptor.digest();
  }
}
