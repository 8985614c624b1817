package dev.jbuild.layerstore;

import dev.jbuild.layerstore.image.ImageStore;
import dev.jbuild.layerstore.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The jbuild store rooted at one directory:
 *
 * <pre>
 * root/blobs/sha256/&lt;hex&gt;   content-addressed blobs (layers, configs, manifests)
 * root/ingest/                blobs being written
 * root/snapshots/             unpacked layers in overlay form, one directory per ChainID
 * root/images/                the tag database
 * root/tmp/                   scratch space on the same file system
 * </pre>
 *
 * <p>Thread-safe, and several processes may open the same root: every publication is an atomic
 * rename and the shared mutable files are updated under file locks.
 */
public final class LayerStore {
  private final Path root;
  private final ContentStore content;
  private final SnapshotStore snapshots;
  private final ImageStore images;

  private LayerStore(Path root) throws IOException {
    this.root = root;
    this.content = new ContentStore(root);
    this.snapshots = new SnapshotStore(root.resolve("snapshots"), content);
    this.images = new ImageStore(root.resolve("images"), content);
  }

  /**
   * Opens (creating if needed) the store at {@code root}.
   *
   * @throws IOException if the directories cannot be created
   */
  public static LayerStore open(Path root) throws IOException {
    Path absolute = root.toAbsolutePath().normalize();
    for (String dir : new String[] {"blobs/sha256", "ingest", "snapshots", "images", "tmp"}) {
      Files.createDirectories(absolute.resolve(dir));
    }
    return new LayerStore(absolute);
  }

  /** The store's root directory (absolute). */
  public Path root() {
    return root;
  }

  /** Scratch space on the store's file system ({@code root/tmp}). */
  public Path tmp() {
    return root.resolve("tmp");
  }

  /** The blobs. */
  public ContentStore content() {
    return content;
  }

  /** The unpacked layers. */
  public SnapshotStore snapshots() {
    return snapshots;
  }

  /** The images and tags. */
  public ImageStore images() {
    return images;
  }
}
