package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.compress.LayerCompression;
import dev.jbuild.layerstore.diff.LayerOptions;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild import TARBALL|DIR [REF]}: a root filesystem as a one-layer image; prints the
 * image ID. With {@code SOURCE_DATE_EPOCH} set, file times are clamped to it.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Import a root filesystem (tar, optionally compressed, or directory) as an"
        + " image.")
final class ImportCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(names = "--platform", paramLabel = "OS/ARCH",
      description = "The image's platform (default: this machine's).")
  String platform;

  @Option(names = "--compression", paramLabel = "ALGO[:LEVEL]", defaultValue = "gzip",
      description = "Layer compression: gzip[:0-9] (default), zstd[:1-22] or none.")
  String compression;

  @Parameters(index = "0", paramLabel = "TARBALL|DIR") Path source;

  @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]") String reference;

  @Override
  public Integer call() throws Exception {
    if (!Files.exists(source)) {
      throw new IllegalArgumentException("open " + source + ": no such file or directory");
    }
    ImageReference ref = reference == null ? null : ImageReference.parse(reference);
    LayerOptions options = LayerOptions.fromEnvironment(System.getenv())
        .withCompression(LayerCompression.parse(compression));
    Session session = Session.open(main);
    Image image = new RootfsImporter(session.store).importRootfs(source,
        platform == null ? Platform.host() : Platform.parse(platform),
        "Imported from " + source.getFileName(), options);
    if (ref != null) {
      session.store.images().tag(ref.withTag(ref.tagOptional().orElse("latest")),
          image.manifestDescriptor());
    }
    spec.commandLine().getOut().println(image.id());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
