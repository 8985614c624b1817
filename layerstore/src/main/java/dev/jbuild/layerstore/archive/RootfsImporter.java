package dev.jbuild.layerstore.archive;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.diff.LayerOptions;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes a one-layer image from a root filesystem given as a directory or a tar (gzip, bzip2 or
 * plain), like {@code docker import}: used to create base images offline (for example a busybox
 * tree). The config has a fixed creation time (the epoch), so the same input gives the same image.
 * Thread-safe.
 */
public final class RootfsImporter {
  /** The creation time written into imported configs. */
  public static final String CREATED = "1970-01-01T00:00:00Z";

  private final LayerStore store;

  /** Imports into {@code store}. */
  public RootfsImporter(LayerStore store) {
    this.store = store;
  }

  /**
   * Imports {@code tarOrDirectory} as a single-layer image (stored, not tagged).
   *
   * @param tarOrDirectory a root filesystem directory or a tar file
   * @param platform the image's platform
   * @param createdBy the history entry's {@code created_by}, for example {@code "busybox rootfs"}
   */
  public Image importRootfs(Path tarOrDirectory, Platform platform, String createdBy)
      throws IOException {
    return importRootfs(tarOrDirectory, platform, createdBy, LayerOptions.defaults());
  }

  /**
   * Like {@link #importRootfs(Path, Platform, String)}, with a compression and an optional
   * {@code SOURCE_DATE_EPOCH} mtime clamp for the layer. Holds a store lease while it runs.
   */
  @SuppressWarnings("try") // the lease is held by the try block, not used in it
  public Image importRootfs(Path tarOrDirectory, Platform platform, String createdBy,
      LayerOptions options) throws IOException {
    try (var lease = store.lease()) {
      return importLeased(tarOrDirectory, platform, createdBy, options);
    }
  }

  private Image importLeased(Path tarOrDirectory, Platform platform, String createdBy,
      LayerOptions options) throws IOException {
    Layer layer;
    if (Files.isDirectory(tarOrDirectory)) {
      layer = LayerDiffer.fromDirectory(tarOrDirectory, store.content(), options);
    } else {
      try (InputStream in = Files.newInputStream(tarOrDirectory)) {
        layer = LayerDiffer.fromTar(in, store.content(), options);
      }
    }
    ImageConfig config = new ImageConfig(CREATED, null, platform.architecture(), platform.os(),
        platform.variant(), new ContainerConfig.Builder().env(
            List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")).build(),
        new ImageConfig.RootFs("layers", List.of(layer.diffId())),
        List.of(new ImageConfig.History(CREATED, null, createdBy, null, null)));
    return store.images().write(config, List.of(layer));
  }
}
