package dev.jbuild.maven;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.registry.RegistryOptions;
import java.io.IOException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Pushes every tag of the image (as {@code jbuild push}) to its registry: the image the {@code
 * build} goal stored under those tags. Credentials: {@code settings.xml} servers whose id is the
 * registry's {@code host[:port]} (encrypted passwords included), else {@code
 * ~/.docker/config.json} and its credential helpers.
 */
@Mojo(name = "push", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class PushMojo extends AbstractJbuildMojo {
  @Override
  @SuppressWarnings("try") // the store lease is held, never read
  void run() throws MojoExecutionException {
    RegistryOptions options = registryOptions();
    LayerStore store = openStore();
    try (FileLocks.Held lease = store.lease()) {
      for (ImageReference tag : references()) {
        Pushes.push(store, options, tag, null, getLog());
      }
    } catch (IOException e) {
      throw new MojoExecutionException("Tried to lease the jbuild store at " + storePath()
          + " but failed because: " + e.getMessage(), e);
    }
  }
}
