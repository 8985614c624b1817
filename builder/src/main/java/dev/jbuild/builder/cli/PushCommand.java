package dev.jbuild.builder.cli;

import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.registry.PushResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jbuild push NAME[:TAG]}, with docker's output. */
@Command(name = "push", mixinStandardHelpOptions = true,
    description = "Push an image to a registry.")
final class PushCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "NAME[:TAG]") String name;

  @Override
  public Integer call() throws Exception {
    ImageReference ref = ImageReference.parse(name);
    Session session = Session.open(main);
    System.out.println("The push refers to repository [" + ref.name() + "]");
    PushResult result = new ImageTransfer(session.store, session.registryOptions(),
        new ConsoleTransferProgress("Pushed", "Layer already exists")).push(ref);
    System.out.println(ref.tagOptional().orElse("latest") + ": digest: " + result.digest()
        + " size: " + result.size());
    return 0;
  }

  /** Docker-like per-blob lines: {@code 3f2a1b0c9d8e: Pushed}. */
  static final class ConsoleTransferProgress implements ProgressListener {
    private final String done;
    private final String skipped;

    ConsoleTransferProgress(String done, String skipped) {
      this.done = done;
      this.skipped = skipped;
    }

    private static String id(Descriptor d) {
      Digest digest = d.digest();
      return digest.shortHex();
    }

    @Override
    public void blobSkipped(Descriptor blob) {
      System.out.println(id(blob) + ": " + skipped);
    }

    @Override
    public void blobDone(Descriptor blob) {
      System.out.println(id(blob) + ": " + done);
    }
  }
}
