package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.archive.ArchiveImage;
import dev.jbuild.layerstore.archive.DockerArchiveWriter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jbuild save -o FILE IMAGE...}: Docker's combined archive, for {@code docker load}. */
@Command(name = "save", mixinStandardHelpOptions = true,
    description = "Save images to a tar archive that docker load accepts (OCI layout + manifest.json).")
final class SaveCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
      description = "Write to FILE.")
  Path output;

  @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> images;

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    List<ArchiveImage> entries = new ArrayList<>();
    for (String name : images) {
      Image image = session.image(name);
      List<ImageReference> tags = new ArrayList<>();
      try {
        ImageReference ref = ImageReference.parse(name);
        if (session.store.images().resolve(ref).isPresent()) {
          tags.add(ref);
        }
      } catch (IllegalArgumentException e) {
        // An image ID: saved without a tag, as docker does.
      }
      entries.add(new ArchiveImage(image, tags));
    }
    Path parent = output.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(parent, ".jbuild-save-", ".tmp");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        new DockerArchiveWriter(session.store.content()).write(out, entries);
      }
      // The archive appears complete or not at all.
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return 0;
  }
}
