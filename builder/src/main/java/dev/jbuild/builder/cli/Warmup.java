package dev.jbuild.builder.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.parser.DockerfileParser;
import java.util.TreeMap;

/**
 * First-use costs of a build, paid on the second core while the main thread builds and parses
 * the command line (picocli, ~60 ms): the JSON mapper's start-up and its (de)serializers for the
 * store's files (the tag database, image configs and manifests, build cache entries, ~0.1 s the
 * first time, most of it reflection over the record types), then the Dockerfile parser's
 * tables.
 *
 * <p>Nothing here touches a file, the store or the environment, prints, or keeps state of its
 * own: it only fills the shared mapper's caches and initialises classes, which the main thread
 * would otherwise do itself on first use (a class another thread is initialising is waited for,
 * a (de)serializer being built twice is built twice). A failure here is ignored: the main thread
 * meets and reports the same one. The thread is a daemon, so it never delays the exit.
 */
final class Warmup {
  /** The tag database's type ({@code TagDatabase}): equal types share one cached deserializer. */
  private static final TypeReference<TreeMap<String, Descriptor>> TAGS = new TypeReference<>() {};

  private Warmup() {}

  /** True if {@code commands} (from {@link Main#commandsToModel}) is a build. */
  static boolean helps(java.util.Set<String> commands) {
    return commands.size() == 1 && commands.contains("build");
  }

  /** Starts the warm-up thread. */
  static void start() {
    Thread thread = new Thread(Warmup::run, "jbuild-warmup");
    thread.setDaemon(true);
    thread.setPriority(Thread.NORM_PRIORITY - 1);
    thread.start();
  }

  /** The work itself, in the order a cached build meets it; package-private for the tests. */
  static void run() {
    try {
      ObjectMapper mapper = OciJson.mapper();
      // One real round trip: the parser's and generator's classes (a first parse alone costs
      // ~15 ms of static initialisation under Jackson's number handling).
      ImageConfig config = ImageConfig.scratch(Platform.host());
      OciJson.fromBytes(OciJson.toBytes(config), ImageConfig.class);
      mapper.readerFor(TAGS);
      mapper.writerFor(TAGS);
      mapper.readerFor(ImageManifest.class);
      mapper.writerFor(ImageManifest.class);
      mapper.readerFor(Descriptor.class);
      mapper.writerFor(Descriptor.class);
      mapper.readerFor(Layer.class);
      mapper.readerFor(Digest.class);
      mapper.readerFor(LayerInfo.class);
      mapper.writerFor(LayerInfo.class);
      DockerfileParser.parse("FROM scratch\nRUN true\n", "Dockerfile");
    } catch (Exception | LinkageError e) {
      // Only speed is lost; the main thread meets the same problem and reports it.
    }
  }
}
