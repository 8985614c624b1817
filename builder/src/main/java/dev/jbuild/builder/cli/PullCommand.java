package dev.jbuild.builder.cli;

import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild pull NAME[:TAG|@DIGEST]}, with docker's non-interactive output:
 *
 * <pre>
 * v1: Pulling from a/b
 * 3f2a1b0c9d8e: Pulling fs layer   (or: Already exists)
 * 3f2a1b0c9d8e: Pull complete
 * Digest: sha256:…
 * Status: Downloaded newer image for 127.0.0.1:5000/a/b:v1   (or: Image is up to date for …)
 * 127.0.0.1:5000/a/b:v1
 * </pre>
 */
@Command(name = "pull", mixinStandardHelpOptions = true,
    description = "Pull an image from a registry into the store.")
final class PullCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "NAME[:TAG|@DIGEST]") String name;

  @Option(names = "--platform", paramLabel = "OS/ARCH",
      description = "Platform to pull from a multi-platform image (default: this machine's).")
  String platform;

  @Override
  public Integer call() throws Exception {
    ImageReference ref = ImageReference.parse(name);
    Session session = Session.open(main);
    // Holds off a concurrent `jbuild prune` until this command is done with its blobs.
    try (var lease = session.lease()) {
      Optional<Descriptor> before = session.store.images().resolve(ref);
      System.out.println(ref.tagOptional().orElse(ref.manifestReference())
          + ": Pulling from " + ref.repository());
      ImageTransfer.Pulled pulled = new ImageTransfer(session.store, session.registryOptions(),
          new PushCommand.ConsoleTransferProgress(System.out, "Pull complete", "Already exists",
              "Pulling fs layer"))
          .pullImage(ref, platform == null ? Platform.host() : Platform.parse(platform));
      boolean upToDate = before.isPresent()
          && before.get().digest().equals(pulled.image().manifestDigest())
          && pulled.result().blobsPulled() == 0;
      System.out.println("Digest: " + pulled.repoDigest());
      System.out.println("Status: " + (upToDate ? "Image is up to date for "
          : "Downloaded newer image for ") + ref.familiar());
      System.out.println(ref);
      return 0;
    }
  }
}
