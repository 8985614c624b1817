package dev.jbuild.builder.cli;

import dev.jbuild.builder.container.ContainerCommitter;
import dev.jbuild.builder.container.ContainerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild commit CONTAINER [REPOSITORY[:TAG]]}: turns a kept container's read-write layer
 * into a new image on top of the container's image ({@code docker commit}; see {@link
 * ContainerCommitter}), tags it if asked, and prints the new image ID.
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
      Image image = new ContainerCommitter(session.store, containers)
          .commit(record, author, message, Instant.now());
      if (ref != null) {
        session.store.images().tag(ref, image.manifestDescriptor());
      }
      System.out.println(image.id());
      return 0;
    }
  }
}
