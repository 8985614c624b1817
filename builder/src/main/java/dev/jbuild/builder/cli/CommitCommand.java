package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.snapshot.Snapshot;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild commit CONTAINER [REPOSITORY[:TAG]]}: turns a kept container's read-write layer
 * into a new image on top of the container's image ({@code docker commit}). The layer is the
 * overlay upperdir diffed against the image's layers; /etc/hosts, /etc/resolv.conf and
 * /etc/hostname never appear in it, because the runner bind-mounts them and removes the
 * mount-point stubs afterwards. As with docker, the new image's Cmd, Entrypoint, Env, WorkingDir
 * and User are the container's. Prints the new image ID.
 */
@Command(name = "commit", mixinStandardHelpOptions = true,
    description = "Create a new image from a container's changes.")
final class CommitCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = {"-m", "--message"}, paramLabel = "TEXT", description = "Commit message.")
  String message;

  @Option(names = {"-a", "--author"}, paramLabel = "NAME", description = "Author.")
  String author;

  @Parameters(index = "0", paramLabel = "CONTAINER") String container;

  @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]") String reference;

  @Override
  public Integer call() throws Exception {
    ImageReference ref = reference == null ? null : ImageReference.parse(reference);
    Session session = Session.open(main);
    // Holds off a concurrent `jbuild prune` until this command is done with its blobs.
    try (var lease = session.lease()) {
      ContainerStore containers = new ContainerStore(session.root);
      ContainerStore.Record record = containers.find(container);
      Image base;
      try {
        base = session.store.images().load(Digest.parse(record.imageManifest()));
      } catch (IOException e) {
        throw new IOException("Tried to commit container " + record.shortId() + " but failed "
            + "because: its image " + record.image() + " is no longer in the store", e);
      }
      Snapshot snapshot = session.store.snapshots().prepare(base.layers());
      Optional<Layer> layer = LayerDiffer.diff(containers.upperDir(record),
          snapshot.absoluteLowerDirsTopFirst(), session.store.content());

      String now = Instant.now().toString();
      ContainerConfig config = base.config().containerConfig()
          .withEntrypoint(record.entrypoint().isEmpty() ? null : record.entrypoint())
          .withCmd(record.cmd().isEmpty() ? null : record.cmd())
          .withWorkingDir(record.workingDir().equals("/") ? "" : record.workingDir())
          .withUser(record.user());
      config = config.toBuilder().env(record.env()).build();
      ImageConfig old = base.config();
      ImageConfig next = new ImageConfig(now, author != null ? author : old.author(),
          old.architecture(), old.os(), old.variant(), old.config(), old.rootfs(), old.history())
          .withContainerConfig(config)
          .withStep(new ImageConfig.History(now, author, String.join(" ", record.command()),
              message, layer.isPresent() ? null : Boolean.TRUE),
              layer.map(Layer::diffId).orElse(null));
      List<Layer> layers = new ArrayList<>(base.layers());
      layer.ifPresent(layers::add);
      Image image = session.store.images().write(next, layers);
      if (ref != null) {
        session.store.images().tag(ref, image.manifestDescriptor());
      }
      System.out.println(image.id());
      return 0;
    }
  }
}
