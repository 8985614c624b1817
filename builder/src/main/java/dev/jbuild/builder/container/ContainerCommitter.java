package dev.jbuild.builder.container;

import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.snapshot.Snapshot;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a kept container's read-write layer into a new image on top of the container's image
 * ({@code docker commit}). The layer is the overlay upperdir diffed against the image's layers;
 * /etc/hosts, /etc/resolv.conf and /etc/hostname never appear in it, because the runner
 * bind-mounts them and removes the mount-point stubs afterwards. As with docker, the new image's
 * Cmd, Entrypoint, Env, WorkingDir and User are the container's; a container without changes
 * gives an image with an empty-layer history entry.
 *
 * <p>Thread-safe as the store is; the caller holds a store lease while it runs.
 */
public final class ContainerCommitter {
  private final LayerStore store;
  private final ContainerStore containers;

  /** Commits containers of {@code containers} into images of {@code store}. */
  public ContainerCommitter(LayerStore store, ContainerStore containers) {
    this.store = store;
    this.containers = containers;
  }

  /**
   * Stores (does not tag) the image made of the container's image plus its changes.
   *
   * @param author the new image's author, or null to keep the base image's
   * @param message the history comment, or null
   * @param now the creation time of the image and its history entry
   * @throws IOException if the container's image is gone or the layer cannot be written
   */
  public Image commit(ContainerStore.Record record, String author, String message, Instant now)
      throws IOException {
    Image base;
    try {
      base = store.images().load(Digest.parse(record.imageManifest()));
    } catch (IOException e) {
      throw new IOException("Tried to commit container " + record.shortId() + " but failed "
          + "because: its image " + record.image() + " is no longer in the store", e);
    }
    Snapshot snapshot = store.snapshots().prepare(base.layers());
    Optional<Layer> layer = LayerDiffer.diff(containers.upperDir(record),
        snapshot.absoluteLowerDirsTopFirst(), store.content());

    String created = now.toString();
    ContainerConfig config = base.config().containerConfig()
        .withEntrypoint(record.entrypoint().isEmpty() ? null : record.entrypoint())
        .withCmd(record.cmd().isEmpty() ? null : record.cmd())
        .withWorkingDir(record.workingDir().equals("/") ? "" : record.workingDir())
        .withUser(record.user());
    config = config.toBuilder().env(record.env()).build();
    ImageConfig old = base.config();
    ImageConfig next = new ImageConfig(created, author != null ? author : old.author(),
        old.architecture(), old.os(), old.variant(), old.config(), old.rootfs(), old.history())
        .withContainerConfig(config)
        .withStep(new ImageConfig.History(created, author, String.join(" ", record.command()),
            message, layer.isPresent() ? null : Boolean.TRUE),
            layer.map(Layer::diffId).orElse(null));
    List<Layer> layers = new ArrayList<>(base.layers());
    layer.ifPresent(layers::add);
    return store.images().write(next, layers);
  }
}
