package dev.jbuild.maven;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.registry.auth.Credential;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    String childReason = CliChild.reason();
    if (childReason != null) {
      Map<String, Credential> credentials = serverCredentials();
      for (ImageReference tag : references()) {
        pushInChild(childReason, tag, credentials);
      }
      return;
    }
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

  /**
   * {@code jbuild push TAG} in a child JVM, the credentials on its stdin; the same log lines and
   * error line as in process, plus the command's own per-layer lines.
   */
  private void pushInChild(String reason, ImageReference tag, Map<String, Credential> credentials)
      throws MojoExecutionException {
    getLog().info("pushing " + tag);
    List<String> args = cliGlobals(!credentials.isEmpty());
    args.addAll(List.of("push", tag.toString()));
    ChildProgress stderr = new ChildProgress(getLog());
    List<String> digest = new ArrayList<>();
    int code = runChild(reason, args, credentials, line -> {
      getLog().info(line);
      Matcher m = DIGEST_LINE.matcher(line);
      if (m.matches()) {
        digest.add(m.group(1) + " size: " + m.group(2));
      }
    }, stderr::line);
    if (code != 0 || digest.isEmpty()) {
      throw new MojoExecutionException("Tried to push " + tag.familiar() + " but failed because: "
          + (stderr.error() != null ? stderr.error() : "the jbuild command exited with code "
              + code));
    }
    getLog().info("pushed " + tag.familiar() + ": digest: " + digest.get(digest.size() - 1));
  }

  /** {@code jbuild push}'s last line, as docker's: {@code TAG: digest: sha256:… size: N}. */
  private static final Pattern DIGEST_LINE =
      Pattern.compile("\\S+: digest: (sha256:[0-9a-f]{64}) size: (\\d+)");
}
