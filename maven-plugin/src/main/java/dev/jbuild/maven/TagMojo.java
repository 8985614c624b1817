package dev.jbuild.maven;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Tags a stored image with every reference in {@code tags} (as {@code jbuild tag SOURCE
 * TARGET}), for example to add a registry name before {@code push}.
 */
@Mojo(name = "tag", threadSafe = true)
public class TagMojo extends AbstractJbuildMojo {
  /** The stored image to tag, by reference ({@code name[:tag]}). */
  @Parameter(property = "jbuild.source", required = true)
  String source;

  @Override
  void run() throws MojoExecutionException {
    ImageReference from;
    try {
      from = ImageReference.parse(source);
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException("invalid <source> '" + source + "': " + e.getMessage());
    }
    String childReason = CliChild.reason();
    if (childReason != null) {
      tagInChild(childReason, from);
      return;
    }
    LayerStore store = openStore();
    try {
      Optional<Descriptor> manifest = store.images().resolve(from);
      if (manifest.isEmpty()) {
        throw new MojoExecutionException("No such image: " + source
            + " (build it first, or name a stored image in <source>)");
      }
      for (ImageReference tag : references()) {
        if (tag.tag() == null) {
          throw new MojoExecutionException("refusing to create a tag with a digest reference: "
              + tag);
        }
        store.images().tag(tag, manifest.get());
        getLog().info("tagged " + from.familiar() + " as " + tag.familiar());
      }
    } catch (IOException e) {
      throw new MojoExecutionException("Tried to tag " + source + " but failed because: "
          + e.getMessage(), e);
    }
  }

  /** {@code jbuild tag SOURCE TAG} for every tag, in a child JVM each. */
  private void tagInChild(String reason, ImageReference from) throws MojoExecutionException {
    List<ImageReference> tags = references();
    for (ImageReference tag : tags) {
      if (tag.tag() == null) {
        throw new MojoExecutionException("refusing to create a tag with a digest reference: "
            + tag);
      }
    }
    for (ImageReference tag : tags) {
      List<String> args = cliGlobals(false);
      args.addAll(List.of("tag", source, tag.toString()));
      ChildProgress stderr = new ChildProgress(getLog());
      int code = runChild(reason, args, Map.of(), getLog()::info, stderr::line);
      if (code != 0) {
        throw new MojoExecutionException("Tried to tag " + source + " but failed because: "
            + (stderr.error() != null ? stderr.error() : "the jbuild command exited with code "
                + code));
      }
      getLog().info("tagged " + from.familiar() + " as " + tag.familiar());
    }
  }
}
