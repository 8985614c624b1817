package dev.jbuild.builder.cli;

import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jbuild pull NAME[:TAG|@DIGEST]}. */
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
    System.out.println(ref.tagOptional().orElse(ref.manifestReference())
        + ": Pulling from " + ref.repository());
    Image image = new ImageTransfer(session.store, session.registryOptions(),
        new PushCommand.ConsoleTransferProgress("Pull complete", "Already exists"))
        .pull(ref, platform == null ? Platform.host() : Platform.parse(platform));
    System.out.println("Digest: " + image.manifestDescriptor().digest());
    System.out.println("Status: Downloaded image for " + ref.familiar());
    System.out.println(ref);
    return 0;
  }
}
