package dev.jbuild.builder.cli;

import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.registry.PushResult;
import dev.jbuild.registry.RegistryOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild push NAME[:TAG]}, with docker's non-interactive output:
 *
 * <pre>
 * The push refers to repository [127.0.0.1:5000/a/b]
 * 3f2a1b0c9d8e: Preparing
 * 3f2a1b0c9d8e: Pushed            (or: Layer already exists, Mounted from a/c)
 * v1: digest: sha256:… size: 527
 * </pre>
 *
 * <p>A stored multi-platform image (an OCI index) goes to a registry that refuses the OCI index
 * as a Docker manifest list of the same entries, with one warning; the digest line is the list's.
 */
@Command(name = "push", mixinStandardHelpOptions = true,
    description = "Push an image to a registry.")
final class PushCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "NAME[:TAG]") String name;

  @Option(names = "--chunk-size", paramLabel = "SIZE",
      description = "Upload blobs in chunks of SIZE (e.g. 8M) with PATCH instead of one PUT.")
  String chunkSize;

  @Override
  public Integer call() throws Exception {
    ImageReference ref = ImageReference.parse(name);
    Session session = Session.open(main);
    RegistryOptions options = session.registryOptions();
    if (chunkSize != null) {
      options = options.withChunkSize(parseSize(chunkSize));
    }
    System.out.println("The push refers to repository [" + ref.name() + "]");
    List<Descriptor> layers = new ArrayList<>(layersOf(session, ref));
    Collections.reverse(layers); // docker lists the top layer first
    layers.forEach(layer -> System.out.println(layer.digest().shortHex() + ": Preparing"));
    PushResult result = new ImageTransfer(session.store, options,
        new ConsoleTransferProgress(System.out, "Pushed", "Layer already exists")).push(ref);
    System.out.println(ref.tagOptional().orElse("latest") + ": digest: " + result.digest()
        + " size: " + result.size());
    return 0;
  }

  /** The stored image's layers, or none if it is not a single manifest (push will say why). */
  private static List<Descriptor> layersOf(Session session, ImageReference ref) {
    try {
      Optional<Descriptor> manifest = session.store.images().resolve(ref);
      if (manifest.isEmpty() || !MediaTypes.isManifest(manifest.get().mediaType())) {
        return List.of();
      }
      return OciJson.fromBytes(session.store.content().readAll(manifest.get()),
          ImageManifest.class).layers();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  /** {@code 1048576}, {@code 512k}, {@code 8M}, {@code 1G} (binary units, as docker's flags). */
  static long parseSize(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT).replaceAll("i?b$", "");
    long unit = 1;
    if (t.endsWith("k")) {
      unit = 1L << 10;
    } else if (t.endsWith("m")) {
      unit = 1L << 20;
    } else if (t.endsWith("g")) {
      unit = 1L << 30;
    }
    if (unit > 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      long value = Long.parseLong(t) * unit;
      if (value <= 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid size '" + text + "' (examples: 5242880, 512k,"
          + " 8M)");
    }
  }

  /**
   * Docker-like per-layer lines ({@code 3f2a1b0c9d8e: Pushed}); configs are not shown, as in
   * docker.
   */
  static final class ConsoleTransferProgress implements ProgressListener {
    private final PrintStream out;
    private final String done;
    private final String skipped;
    private final String started;

    ConsoleTransferProgress(PrintStream out, String done, String skipped) {
      this(out, done, skipped, null);
    }

    ConsoleTransferProgress(PrintStream out, String done, String skipped, String started) {
      this.out = out;
      this.done = done;
      this.skipped = skipped;
      this.started = started;
    }

    private static boolean isConfig(Descriptor d) {
      return MediaTypes.OCI_CONFIG.equals(d.mediaType())
          || MediaTypes.DOCKER_CONFIG.equals(d.mediaType());
    }

    private synchronized void line(Descriptor blob, String status) {
      if (!isConfig(blob)) {
        out.println(blob.digest().shortHex() + ": " + status);
      }
    }

    @Override
    public void blobStarted(Descriptor blob) {
      if (started != null) {
        line(blob, started);
      }
    }

    @Override
    public void blobSkipped(Descriptor blob) {
      line(blob, skipped);
    }

    @Override
    public void blobMounted(Descriptor blob, String fromRepository) {
      line(blob, "Mounted from " + fromRepository);
    }

    @Override
    public void blobDone(Descriptor blob) {
      line(blob, done);
    }

    /** On stderr, as docker prints warnings; stdout keeps docker push's lines. */
    @Override
    public void warning(String message) {
      System.err.println("WARNING: " + message);
    }
  }
}
