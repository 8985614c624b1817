package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jbuild import TARBALL|DIR REF}: a root filesystem as a one-layer image. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Import a root filesystem (tar, optionally gzip'd, or directory) as an image.")
final class ImportCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "TARBALL|DIR") Path source;

  @Parameters(index = "1", paramLabel = "REPOSITORY[:TAG]") String reference;

  @Override
  public Integer call() throws Exception {
    if (!Files.exists(source)) {
      throw new IllegalArgumentException("open " + source + ": no such file or directory");
    }
    ImageReference ref = ImageReference.parse(reference);
    Session session = Session.open(main);
    Image image = new RootfsImporter(session.store)
        .importRootfs(source, Platform.host(), "Imported from " + source.getFileName());
    session.store.images().tag(ref, image.manifestDescriptor());
    System.out.println(image.id());
    return 0;
  }
}
