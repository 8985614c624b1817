package dev.jbuild.builder.cli;

import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.ImageBuilder;
import dev.jbuild.builder.MultiPlatformBuilder;
import dev.jbuild.builder.MultiPlatformBuilder.PlatformImage;
import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.event.TtyProgress;
import dev.jbuild.builder.export.ImageExporter;
import dev.jbuild.builder.export.OutputSpec;
import dev.jbuild.builder.remotecache.RemoteCacheStore;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.IndexFormat;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.registry.PushedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code build --platform P1,P2,…}: one image per platform under one OCI image index, which the
 * tags name; {@code --push} pushes the index (a Docker manifest list to a registry that refuses
 * the OCI type, or always with {@code oci-mediatypes=false}), {@code -o type=local} writes one
 * directory per platform ({@code DEST/linux_arm64}, as buildx), {@code type=oci} the whole
 * index, and the other archive outputs, which hold one image, get this machine's platform (else
 * the first one).
 */
final class MultiPlatformBuild {
  private MultiPlatformBuild() {}

  static int run(BuildCommand cmd, BuildRequest.Builder request, BuildListener listener,
      Session session, List<OutputSpec> outputs, List<Platform> platforms) throws Exception {
    MultiPlatformBuilder.Result result;
    try (LazyRunner runner = new LazyRunner(session)) {
      ImageBuilder builder = new ImageBuilder(session.store, runner,
          session.baseImages(listener::info), Instant::now,
          new RemoteCacheStore(session.store, session.registryOptions()));
      // oci-mediatypes=false: the stored index is a Docker manifest list, so what is pushed,
      // exported and recorded is one and the same.
      String indexType = cmd.output.indexFormat == IndexFormat.DOCKER_LIST
          ? MediaTypes.DOCKER_MANIFEST_LIST : MediaTypes.OCI_INDEX;
      result = new MultiPlatformBuilder(builder, session.store)
          .build(request.build(), platforms, listener, indexType);
    } finally {
      if (listener instanceof TtyProgress tty) {
        tty.close();
      }
    }
    ImageExporter exporter = new ImageExporter(session.store);
    for (OutputSpec spec : outputs) {
      if (spec.type() == OutputSpec.Type.LOCAL) {
        for (PlatformImage pi : result.images()) {
          Path dir = spec.path().resolve(dirName(pi.platform()));
          exporter.export(pi.image(), List.of(), new OutputSpec(OutputSpec.Type.LOCAL,
              dir.toString()));
        }
        listener.info("exported local to " + spec.dest() + " (one directory per platform)");
      } else if (spec.type() == OutputSpec.Type.OCI) {
        exporter.exportIndex(result.index(), result.images().stream().map(PlatformImage::image)
            .toList(), result.tags(), spec);
        listener.info("exported oci to " + spec.dest() + " (the image index, every platform)");
      } else {
        PlatformImage one = hostOrFirst(result.images());
        exporter.export(one.image(), result.tags(), spec);
        listener.info("exported " + spec.type().name().toLowerCase() + " to " + spec.dest()
            + " (the " + one.platform() + " image; an archive holds one platform)");
      }
    }
    List<String> pushed = new ArrayList<>();
    // What the registry holds: the stored index, or the Docker manifest list it was pushed as.
    Descriptor recorded = result.index();
    if (cmd.output.push) {
      ImageTransfer transfer = new ImageTransfer(session.store, session.registryOptions(),
          new ProgressListener() {
            @Override
            public void warning(String message) {
              listener.info("WARNING: " + message);
            }
          });
      for (ImageReference tag : result.tags()) {
        listener.info("pushing " + tag);
        PushedImage done = transfer.pushStored(tag, cmd.output.indexFormat);
        listener.info("pushed " + tag.familiar() + ": digest: " + done.result().digest()
            + " size: " + done.result().size());
        pushed.add(tag.toString());
        if (!done.manifest().digest().equals(result.index().digest())) {
          recorded = done.manifest(); // the same list for every registry that needed one
        }
      }
    }
    if (cmd.output.metadataFile != null) {
      BuildMetadata.writeIndex(cmd.output.metadataFile, recorded, result.tags(), pushed);
    }
    // buildx writes the index digest where a single-platform build writes the image ID.
    String id = recorded.digest().toString();
    if (cmd.output.iidFile != null) {
      Files.writeString(cmd.output.iidFile, id);
    }
    listener.finished(id, id, pushed);
    if (cmd.output.quiet) {
      System.out.println(id);
    }
    return 0;
  }

  /** The directory of a platform in {@code -o type=local} output: {@code linux_arm64}. */
  static String dirName(Platform p) {
    return p.toString().replace('/', '_');
  }

  static PlatformImage hostOrFirst(List<PlatformImage> images) {
    Platform host = Platform.host().normalized();
    return images.stream().filter(pi -> pi.platform().equals(host)).findFirst()
        .orElse(images.get(0));
  }
}
