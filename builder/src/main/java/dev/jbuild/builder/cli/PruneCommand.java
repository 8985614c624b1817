package dev.jbuild.builder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.layerstore.gc.PruneReport;
import dev.jbuild.layerstore.gc.Pruner;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild prune [--all] [--networks]}: removes untagged images, build cache entries whose
 * layer no kept image uses, unreferenced blobs, unused snapshots and leftovers of interrupted work;
 * {@code --all} also drops the whole build cache and the unpacked snapshots of tagged images (both
 * are recreated when needed). Only this store is touched; the machine-wide bridge network
 * namespaces that all stores share go only with {@code --networks}, and never while in use. Tagged images and the images of kept containers are never removed. Waits for
 * running jbuild commands that hold a store lease. Never asks for confirmation ({@code -f} is
 * accepted for docker compatibility).
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = "Remove unused data: untagged images, unreferenced blobs and snapshots, dangling"
        + " build cache (--all: all build cache and snapshots).")
final class PruneCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(names = {"-a", "--all"},
      description = "Also remove all build cache and the unpacked layers of tagged images.")
  boolean all;

  @Option(names = {"-f", "--force"}, description = "Do not prompt (jbuild never prompts).")
  boolean force;

  @Option(names = "--networks",
      description = "Also remove the idle bridge network namespaces (jbpool-N) that the builds"
          + " of every store on this machine share; those in use are kept. Root only.")
  boolean networks;

  @Override
  public Integer call() throws Exception {
    if (networks && (!dev.jbuild.layerstore.posix.Posix.isRoot()
        || dev.jbuild.layerstore.posix.Posix.inUserNamespace())) {
      throw new IllegalArgumentException("--networks removes the machine's shared bridge"
          + " networks, which only root has (rootless builds use the host network); run it as"
          + " root, or drop the flag");
    }
    Session session = Session.open(main);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Set<Digest> containerImages = new HashSet<>();
    for (JsonNode c : RmiCommand.containers(session.root)) {
      String manifest = c.path("imageManifest").asText("");
      if (manifest.startsWith("sha256:")) {
        containerImages.add(Digest.parse(manifest));
      }
    }
    Path cache = session.root.resolve("cache/build");
    PruneReport report = new Pruner(session.store).prune(all, () -> {
      err.println("Waiting for other jbuild commands to finish...");
      err.flush();
    }, containerImages, (everything, stillStored) -> pruneCache(cache, everything, stillStored));
    if (!report.deletedImages().isEmpty()) {
      out.println("Deleted Images:");
      for (Digest id : report.deletedImages()) {
        out.println("deleted: " + id);
      }
      out.println();
    }
    if (report.deletedCacheRoots() > 0) {
      out.println("Deleted build cache objects: " + report.deletedCacheRoots());
    }
    if (report.deletedBlobs() + report.deletedSnapshots() + report.deletedLeftovers() > 0) {
      out.println("Deleted " + report.deletedBlobs() + " blobs, " + report.deletedSnapshots()
          + " unpacked layers, " + report.deletedLeftovers() + " leftovers");
    }
    if (networks) {
      // Machine-wide, not this store's: every store's builds claim them, so only on request;
      // one claimed by a running build or container is skipped (its lock is held).
      List<String> removed = dev.jbuild.runner.ContainerRunner.destroySharedNetworks();
      if (!removed.isEmpty()) {
        out.println("Deleted networks: " + String.join(", ", removed));
      }
    }
    out.println("Total reclaimed space: " + ImagesCommand.human(report.reclaimedBytes()));
    out.flush();
    return 0;
  }

  /**
   * Deletes the builder's cache entries ({@code <root>/cache/build/<key>}, JSON with {@code
   * layer.blob.digest}) whose layer blob is gone, or all of them with {@code --all}.
   */
  private static int pruneCache(Path dir, boolean all, Predicate<Digest> stillStored)
      throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (var entries = Files.list(dir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        boolean drop = all;
        if (!drop) {
          try {
            JsonNode node = OciJson.mapper().readTree(Files.readAllBytes(entry));
            String digest = node.path("layer").path("blob").path("digest").asText("");
            drop = !digest.isEmpty() && !stillStored.test(Digest.parse(digest));
          } catch (IOException | RuntimeException e) {
            drop = true; // damaged entry or leftover temp file: a miss anyway
          }
        }
        if (drop && Files.deleteIfExists(entry)) {
          removed++;
        }
      }
    }
    return removed;
  }
}
