package dev.jbuild.builder.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code build --metadata-file FILE}: what the build made, for CI scripts, with buildx's keys:
 * {@code containerimage.digest} (the manifest's digest, which a push sends unchanged, so it is the
 * digest to deploy by), {@code containerimage.config.digest} (the image ID), {@code
 * containerimage.descriptor} and {@code image.name} (the tags, comma-separated, fully
 * qualified). jbuild adds {@code jbuild.pushed}: the tags a registry accepted. Written whole by
 * atomic rename, so a script never reads half a file.
 */
final class BuildMetadata {
  private BuildMetadata() {}

  /** Writes the metadata of {@code result}, {@code pushed} being the tags pushed by this run. */
  static void write(Path file, BuildResult result, List<ImageReference> pushed)
      throws IOException {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("containerimage.config.digest", result.image().id().toString());
    ObjectNode descriptor = root.putObject("containerimage.descriptor");
    descriptor.put("mediaType", result.image().manifestDescriptor().mediaType());
    descriptor.put("digest", result.image().manifestDigest().toString());
    descriptor.put("size", result.image().manifestDescriptor().size());
    root.put("containerimage.digest", result.image().manifestDigest().toString());
    List<String> names = new ArrayList<>();
    result.tags().forEach(t -> names.add(t.toString()));
    root.put("image.name", String.join(",", names));
    List<String> pushedNames = new ArrayList<>();
    pushed.forEach(t -> pushedNames.add(t.toString()));
    pushedNames.forEach(root.putArray("jbuild.pushed")::add);
    write(file, root);
  }

  /**
   * The metadata of a multi-platform build: buildx writes the index's digest and descriptor
   * where a single-platform build has the manifest's, and no config digest.
   */
  static void writeIndex(Path file, Descriptor index, List<ImageReference> tags,
      List<String> pushed) throws IOException {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode descriptor = root.putObject("containerimage.descriptor");
    descriptor.put("mediaType", index.mediaType());
    descriptor.put("digest", index.digest().toString());
    descriptor.put("size", index.size());
    root.put("containerimage.digest", index.digest().toString());
    root.put("image.name", String.join(",", tags.stream().map(Object::toString).toList()));
    pushed.forEach(root.putArray("jbuild.pushed")::add);
    write(file, root);
  }

  private static void write(Path file, ObjectNode root) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      Files.write(tmp, (OciJson.mapper().writerWithDefaultPrettyPrinter()
          .writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
