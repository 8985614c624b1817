package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.archive.ArchiveImage;
import dev.jbuild.layerstore.archive.DockerArchiveWriter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
      DockerArchiveWriter writer = new DockerArchiveWriter(session.store.content());
      Descriptor index = archiveFormat == DockerArchiveWriter.Format.OCI && platform == null
          ? indexNamed(session) : null;
      if (index != null) {
        // An OCI layout can hold the whole index, as BuildKit's OCI exporter writes it; the
        // docker format and --platform hold one platform's image.
        List<Image> all = new ArrayList<>();
        for (Descriptor d : PlatformImages.entries(session.store, index)) {
          all.add(session.store.images().load(d.digest()));
        }
        List<ImageReference> tags = List.of(ImageReference.parse(images.get(0)));
        write(out -> writer.writeIndex(out, index, all, tags));
        return 0;
      }
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
      write(out -> writer.write(out, entries, archiveFormat));
    }
    return 0;
  }

  /** What writes the archive to a stream. */
  private interface ArchiveBody {
    void writeTo(OutputStream out) throws IOException;
  }

  private void write(ArchiveBody body) throws IOException {
    if (output == null) {
      OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
          1 << 16);
      body.writeTo(stdout);
      stdout.flush();
      return;
    }
    Path parent = output.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(parent, ".jbuild-save-", ".tmp");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        body.writeTo(out);
      }
      // The archive appears complete or not at all.
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * The index the only IMAGE tags, or null when it names an image.
   *
   * @throws IllegalArgumentException when an index is one of several IMAGEs (one layout's
   *     index.json cannot say which tag names which index entry's platforms)
   */
  private Descriptor indexNamed(Session session) throws IOException {
    for (String name : images) {
      Optional<Descriptor> d;
      try {
        d = session.store.images().resolve(ImageReference.parse(name));
      } catch (IllegalArgumentException e) {
        continue; // an image ID
      }
      if (d.isPresent() && MediaTypes.isIndex(d.get().mediaType())) {
        if (images.size() > 1) {
          throw new IllegalArgumentException("save --format oci of the multi-platform image "
              + name + " takes it alone; save it separately or pick one image with --platform");
        }
        return d.get();
      }
    }
    return null;
  }
}
