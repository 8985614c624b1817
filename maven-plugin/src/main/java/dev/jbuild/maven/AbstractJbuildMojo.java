package dev.jbuild.maven;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.registry.auth.Credential;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.inject.Inject;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.repository.RemoteRepository;

/**
 * What every jbuild goal shares: {@code skip}, the store, the image's tags and registry access
 * (loopback registries over plain HTTP, {@code insecureRegistries}, credentials from {@code
 * settings.xml} servers, then {@code ~/.docker/config.json} and its credential helpers).
 *
 * <p>Goals run in Maven's JVM as root; otherwise (a non-root user, root without CAP_SYS_ADMIN,
 * or a {@code $JBUILD_ISOLATION} only the command can enter) they run the {@code jbuild} command
 * in a child JVM ({@link CliChild}), which picks rootless or in-place mode as it does for anyone.
 */
abstract class AbstractJbuildMojo extends AbstractMojo {
  /** Skips the goal ({@code -Djbuild.skip}). */
  @Parameter(property = "jbuild.skip", defaultValue = "false")
  boolean skip;

  /**
   * The jbuild store (images, layers, build cache). Default as the {@code jbuild} command:
   * {@code $JBUILD_ROOT}, else {@code /var/lib/jbuild} for root, else {@code
   * ~/.local/share/jbuild}.
   */
  @Parameter(property = "jbuild.storeRoot")
  File storeRoot;

  /**
   * The image's references, {@code [registry/]name[:tag]}; {@code ${project.version}} and {@code
   * ${project.artifactId}} may be used. Default: {@code ${project.artifactId}:${project.version}}.
   */
  @Parameter(property = "jbuild.tags")
  List<String> tags;

  /** Registries ({@code host[:port]}) reached over plain HTTP; loopback ones always are. */
  @Parameter(property = "jbuild.insecureRegistries")
  List<String> insecureRegistries;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  MavenProject project;

  @Parameter(defaultValue = "${settings}", readonly = true)
  Settings settings;

  /** Maven's decrypter of {@code settings.xml} passwords (JSR-330, as Maven 3.9 recommends). */
  @Inject
  SettingsDecrypter decrypter;

  /** Maven's resolver, for the child JVM's slf4j jars ({@link ChildLogging}). */
  @Inject
  RepositorySystem repositorySystem;

  @Parameter(defaultValue = "${repositorySystemSession}", readonly = true)
  RepositorySystemSession repositorySession;

  @Parameter(defaultValue = "${project.remotePluginRepositories}", readonly = true)
  List<RemoteRepository> pluginRepositories;

  @Override
  public final void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("jbuild: skipped (jbuild.skip)");
      return;
    }
    run();
  }

  /** The goal's work, when not skipped. */
  abstract void run() throws MojoExecutionException, MojoFailureException;

  /** The configured tags, parsed; the default tag when none are configured. */
  List<ImageReference> references() throws MojoExecutionException {
    List<String> names = tags == null ? List.of() : tags.stream()
        .filter(t -> t != null && !t.isBlank()).map(String::strip).toList();
    if (names.isEmpty()) {
      names = List.of(project.getArtifactId().toLowerCase(Locale.ROOT) + ":"
          + project.getVersion());
    }
    List<ImageReference> refs = new ArrayList<>();
    for (String name : names) {
      try {
        refs.add(ImageReference.parse(name));
      } catch (IllegalArgumentException e) {
        throw new MojoExecutionException("invalid tag '" + name + "' in <tags>: "
            + e.getMessage());
      }
    }
    return refs;
  }

  /** The store root this goal uses. */
  Path storePath() {
    if (storeRoot != null) {
      return storeRoot.toPath();
    }
    String env = System.getenv("JBUILD_ROOT");
    if (env != null && !env.isEmpty()) {
      return Path.of(env);
    }
    if ("root".equals(System.getProperty("user.name"))) {
      return Path.of("/var/lib/jbuild");
    }
    return Path.of(System.getProperty("user.home"), ".local", "share", "jbuild");
  }

  /** Opens the store, saying where and why when it cannot. */
  LayerStore openStore() throws MojoExecutionException {
    Path root = storePath();
    try {
      return LayerStore.open(root);
    } catch (IOException e) {
      throw new MojoExecutionException("Tried to open the jbuild store at " + root
          + " but failed because: " + e.getMessage() + " (set <storeRoot> or -Djbuild.storeRoot)",
          e);
    }
  }

  /**
   * The {@code jbuild} command's global options for this goal's child JVM: the store, the
   * insecure registries, and {@code --registry-auth-stdin} when credentials go to its stdin.
   */
  List<String> cliGlobals(boolean credentialsOnStdin) {
    List<String> args = new ArrayList<>(List.of("--root", storePath().toAbsolutePath()
        .toString()));
    if (insecureRegistries != null) {
      for (String registry : insecureRegistries) {
        if (registry != null && !registry.isBlank()) {
          args.add("--insecure-registry");
          args.add(registry.strip());
        }
      }
    }
    if (credentialsOnStdin) {
      args.add("--registry-auth-stdin");
    }
    return args;
  }

  /** The decrypted settings.xml credentials by registry, for a child's stdin only. */
  Map<String, Credential> serverCredentials() throws MojoExecutionException {
    try {
      return ServerCredentials.credentials(settings, decrypter);
    } catch (IllegalStateException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    }
  }

  /**
   * Runs the {@code jbuild} command with {@code arguments} in a child JVM ({@link CliChild}),
   * {@code credentials} on its stdin; saying first, in one line, why not in process.
   *
   * @return the command's exit code
   */
  int runChild(String reason, List<String> arguments, Map<String, Credential> credentials,
      Consumer<String> stdout, Consumer<String> stderr) throws MojoExecutionException {
    getLog().info("jbuild: " + reason + ": running the jbuild command in a child JVM");
    List<Path> loggingJars = List.of();
    if (repositorySystem != null && repositorySession != null) {
      try {
        loggingJars = ChildLogging.jars(repositorySystem, repositorySession,
            pluginRepositories == null ? List.of() : pluginRepositories);
      } catch (IOException e) {
        // The build still works; only the command's library log lines are lost.
        getLog().warn("jbuild: " + e.getMessage());
      }
    }
    try {
      return CliChild.run(arguments, loggingJars, credentials.isEmpty() ? new byte[0]
          : CliChild.authJson(credentials), stdout, stderr);
    } catch (IOException e) {
      throw new MojoExecutionException("Tried to start the jbuild command in a child JVM but "
          + "failed because: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoExecutionException("jbuild: interrupted", e);
    }
  }

  /** Docker's defaults plus the insecure registries and settings.xml credentials. */
  RegistryOptions registryOptions() throws MojoExecutionException {
    RegistryOptions options = RegistryOptions.defaults();
    if (insecureRegistries != null) {
      options = options.withInsecureRegistries(insecureRegistries.toArray(new String[0]));
    }
    try {
      return ServerCredentials.apply(options, settings, decrypter);
    } catch (IllegalStateException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    }
  }
}
