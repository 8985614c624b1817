package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.archive.ArchiveImage;
import dev.jbuild.layerstore.archive.DockerArchiveWriter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild save [-o FILE] [--format docker|oci] IMAGE...}: Docker's combined archive (OCI
 * layout + {@code manifest.json}) for {@code docker load}, or a plain OCI layout tar for skopeo,
 * umoci and containerd. The file appears complete or not at all (written to a temp file and
 * renamed); without {@code -o} the archive goes to stdout, which must not be a terminal.
 */
@Command(name = "save", mixinStandardHelpOptions = true,
    description = "Save images to a tar archive (docker load's format, or --format oci).")
final class SaveCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Write to FILE instead of stdout.")
  Path output;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "docker",
      description = "docker (default: combined docker-archive + OCI layout) or oci.")
  String format;

  @Option(names = "--platform", paramLabel = "OS/ARCH",
      description = "For a multi-platform image (an index): the platform's image (default:"
          + " this machine's).")
  String platform;

  @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> images;

  @Override
  @SuppressWarnings("try") // the lease is held by the try block, not used in it
  public Integer call() throws Exception {
    DockerArchiveWriter.Format archiveFormat;
    switch (format.toLowerCase(Locale.ROOT)) {
      case "docker":
      case "docker-archive":
        archiveFormat = DockerArchiveWriter.Format.DOCKER;
        break;
      case "oci":
      case "oci-archive":
        archiveFormat = DockerArchiveWriter.Format.OCI;
        break;
      default:
        throw new IllegalArgumentException("invalid --format '" + format + "': expected docker"
            + " or oci");
    }
    if (output == null && System.console() != null) {
      throw new IllegalArgumentException("cowardly refusing to save to a terminal. Use the -o"
          + " flag or redirect");
    }
    Session session = Session.open(main);
    try (var lease = session.lease()) {
      List<ArchiveImage> entries = new ArrayList<>();
      for (String name : images) {
        Image image = session.image(name, platform == null ? null
            : dev.jbuild.layerstore.oci.Platform.parse(platform));
        List<ImageReference> tags = new ArrayList<>();
        try {
          ImageReference ref = ImageReference.parse(name);
          if (ref.digest() == null && session.store.images().resolve(ref).isPresent()) {
            tags.add(ref);
          }
        } catch (IllegalArgumentException e) {
          // An image ID: saved without a tag, as docker does.
        }
        entries.add(new ArchiveImage(image, tags));
      }
      DockerArchiveWriter writer = new DockerArchiveWriter(session.store.content());
      if (output == null) {
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
            1 << 16);
        writer.write(stdout, entries, archiveFormat);
        stdout.flush();
        return 0;
      }
      Path parent = output.toAbsolutePath().getParent();
      Path tmp = Files.createTempFile(parent, ".jbuild-save-", ".tmp");
      try {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
          writer.write(out, entries, archiveFormat);
        }
        // The archive appears complete or not at all.
        Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return 0;
  }
}
