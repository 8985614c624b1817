package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jbuild tag SOURCE TARGET}: silent on success, like {@code docker tag}. */
@Command(name = "tag", mixinStandardHelpOptions = true,
    description = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE.")
final class TagCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "SOURCE_IMAGE[:TAG]") String source;

  @Parameters(index = "1", paramLabel = "TARGET_IMAGE[:TAG]") String target;

  @Override
  public Integer call() throws Exception {
    ImageReference ref = ImageReference.parse(target);
    if (ref.tag() == null) {
      throw new IllegalArgumentException("refusing to create a tag with a digest reference");
    }
    Session session = Session.open(main);
    java.util.Optional<dev.jbuild.layerstore.oci.Descriptor> index = java.util.Optional.empty();
    try {
      index = session.store.images().resolve(ImageReference.parse(source))
          .filter(d -> dev.jbuild.layerstore.oci.MediaTypes.isIndex(d.mediaType()));
    } catch (IllegalArgumentException e) {
      // an image ID
    }
    if (index.isPresent()) {
      // A multi-platform image: the new tag names the index, all platforms (as docker's
      // containerd store does), not the one this machine would pick.
      session.store.images().tag(ref.withTag(ref.tag()), index.get());
      return 0;
    }
    Image image = session.image(source);
    session.store.images().tag(ref.withTag(ref.tag()), image.manifestDescriptor());
    return 0;
  }
}
