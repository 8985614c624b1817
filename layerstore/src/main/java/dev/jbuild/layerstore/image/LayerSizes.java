package dev.jbuild.layerstore.image;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.content.LayerInfo;
import java.io.IOException;
import java.util.Optional;

/**
 * Uncompressed layer and image sizes as Docker reports them: a layer's size is the sum of its
 * regular files' sizes, an image's is the sum over its layers. Read from the {@link LayerInfo}
 * records that diff, import, load and unpack write; a layer without a record (pulled and never
 * unpacked) is read once, verified, and recorded. Thread-safe.
 */
public final class LayerSizes {
  private LayerSizes() {}

  /** The layer's record, computing (and storing) it if missing. */
  public static LayerInfo of(ContentStore content, Layer layer) throws IOException {
    Optional<LayerInfo> known = content.layerInfo(layer.blob().digest());
    if (known.isPresent()) {
      return known.get();
    }
    LayerInfo info = DiffIds.measure(content, layer.blob().digest());
    if (!info.diffId().equals(layer.diffId())) {
      throw new IOException("Tried to measure layer " + layer.blob().digest() + " but failed"
          + " because: its content has DiffID " + info.diffId() + ", the image says "
          + layer.diffId());
    }
    return info;
  }

  /** Docker's image size: the sum of the layers' content sizes. */
  public static long imageSize(ContentStore content, Image image) throws IOException {
    long size = 0;
    for (Layer layer : image.layers()) {
      size += of(content, layer).contentSize();
    }
    return size;
  }
}
