package dev.jbuild.maven;

import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.registry.PushResult;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.registry.RegistryOptions;
import java.io.IOException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.Log;

/** Pushes of the {@code push} goal and of {@code build} with {@code <push>true</push>}. */
final class Pushes {
  private Pushes() {}

  /**
   * Pushes {@code tag}: the stored image tagged so, or {@code unstored} (a build whose cached
   * layers stayed in the registry) when not null.
   *
   * @throws MojoExecutionException one line: which tag, and why the push failed
   */
  static PushResult push(LayerStore store, RegistryOptions options, ImageReference tag,
      Image unstored, Log log) throws MojoExecutionException {
    log.info("pushing " + tag);
    ImageTransfer transfer = new ImageTransfer(store, options, ProgressListener.NONE);
    try {
      PushResult pushed = unstored == null ? transfer.push(tag) : transfer.push(tag, unstored);
      log.info("pushed " + tag.familiar() + ": digest: " + pushed.digest() + " size: "
          + pushed.size());
      return pushed;
    } catch (RegistryException | IOException e) {
      throw new MojoExecutionException("Tried to push " + tag.familiar()
          + " but failed because: " + e.getMessage(), e);
    }
  }
}
