package dev.jbuild.builder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.TaggedImage;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild rmi IMAGE...}, like {@code docker rmi}: a tag is untagged ("Untagged: x"); when
 * no tag is left on the image, its manifest and config are deleted ("Deleted: sha256:<id>").
 * Removing by ID an image with tags in several repositories, or one a kept container uses, needs
 * {@code -f}. Layers other images may share are left to {@code jbuild prune}.
 */
@Command(name = "rmi", mixinStandardHelpOptions = true,
    description = {"Remove one or more images.",
      "Layer data is reclaimed by 'jbuild prune', since other images may share it."})
final class RmiCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(names = {"-f", "--force"}, description = "Force removal of the image.")
  boolean force;

  @Option(names = "--no-prune", description = "Accepted for compatibility: jbuild never deletes"
      + " untagged parents here.")
  boolean noPrune;

  @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> images;

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int code = 0;
    for (String name : images) {
      try {
        remove(session, name, out);
      } catch (IOException | IllegalArgumentException e) {
        err.println("error: " + e.getMessage());
        code = 1;
      }
      out.flush();
      err.flush();
    }
    return code;
  }

  private void remove(Session session, String name, PrintWriter out) throws IOException {
    Optional<ImageReference> byTag = tagNamed(session, name);
    if (byTag.isPresent() && session.store.images().resolve(byTag.get())
        .filter(d -> dev.jbuild.layerstore.oci.MediaTypes.isIndex(d.mediaType())).isPresent()) {
      // A multi-platform image: only the tag goes; its images may be another tag's too, and
      // prune removes them once nothing names them.
      session.store.images().untag(byTag.get());
      out.println("Untagged: " + byTag.get().familiar());
      return;
    }
    Image image = session.image(name);
    List<TaggedImage> tags = tagsOf(session, image.id());
    Optional<String> container = containerUsing(session, image);
    if (byTag.isPresent()) {
      if (tags.size() == 1 && container.isPresent() && !force) {
        throw new IOException("conflict: unable to remove repository reference \"" + name
            + "\" (must force) - container " + container.get().substring(0, 12)
            + " is using its referenced image " + image.id().shortHex());
      }
      session.store.images().untag(byTag.get());
      out.println("Untagged: " + byTag.get().familiar());
      if (tags.size() > 1) {
        return; // other tags keep the image
      }
    } else {
      Set<String> repositories = new LinkedHashSet<>();
      for (TaggedImage t : tags) {
        repositories.add(t.reference().name());
      }
      if (repositories.size() > 1 && !force) {
        throw new IOException("conflict: unable to delete " + image.id().shortHex()
            + " (must be forced) - image is referenced in multiple repositories");
      }
      if (container.isPresent() && !force) {
        throw new IOException("conflict: unable to delete " + image.id().shortHex()
            + " (must be forced) - image is being used by stopped container "
            + container.get().substring(0, 12));
      }
      for (TaggedImage t : tags) {
        session.store.images().untag(t.reference());
        out.println("Untagged: " + t.reference().familiar());
      }
    }
    if (container.isPresent()) {
      return; // forced: untagged, but kept for the container (docker does the same)
    }
    boolean deleted = false;
    for (Descriptor d : session.store.images().listAll()) {
      if (sameImage(session, d.digest(), image.id())) {
        session.store.images().delete(d.digest());
        deleted = true;
      }
    }
    if (deleted || !session.store.content().contains(image.manifestDigest())) {
      out.println("Deleted: " + image.id());
    }
  }

  /** The reference if {@code name} names an existing tag (not an ID). */
  private static Optional<ImageReference> tagNamed(Session session, String name)
      throws IOException {
    try {
      ImageReference ref = ImageReference.parse(name);
      if (ref.digest() == null && session.store.images().resolve(ref).isPresent()) {
        return Optional.of(ref);
      }
    } catch (IllegalArgumentException e) {
      // an ID
    }
    return Optional.empty();
  }

  private static List<TaggedImage> tagsOf(Session session, Digest imageId) throws IOException {
    List<TaggedImage> tags = new ArrayList<>();
    for (TaggedImage t : session.store.images().list()) {
      if (sameImage(session, t.manifest().digest(), imageId)) {
        tags.add(t);
      }
    }
    return tags;
  }

  private static boolean sameImage(Session session, Digest manifest, Digest imageId) {
    try {
      return session.store.images().load(manifest).id().equals(imageId);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A kept container ({@code jbuild run} without {@code --rm}) whose image this is, read from
   * {@code <root>/containers/<id>/container.json}.
   */
  static Optional<String> containerUsing(Session session, Image image) throws IOException {
    for (JsonNode c : containers(session.root)) {
      if (image.manifestDigest().toString().equals(c.path("imageManifest").asText())
          || image.id().toString().equals(c.path("imageId").asText())) {
        return Optional.of(c.path("id").asText("unknown-container"));
      }
    }
    return Optional.empty();
  }

  /** The records of kept containers (empty if there are none). */
  static List<JsonNode> containers(Path storeRoot) throws IOException {
    List<JsonNode> records = new ArrayList<>();
    Path dir = storeRoot.resolve("containers");
    if (!Files.isDirectory(dir)) {
      return records;
    }
    try (var entries = Files.list(dir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        Path file = entry.resolve("container.json");
        if (Files.isRegularFile(file)) {
          try {
            records.add(OciJson.mapper().readTree(Files.readAllBytes(file)));
          } catch (IOException e) {
            // being rewritten or damaged: not a reason to fail
          }
        }
      }
    }
    return records;
  }
}
