package dev.jbuild.maven;

import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.ImageBuilder;
import dev.jbuild.builder.cache.CacheSpec;
import dev.jbuild.builder.distribution.StoreBaseImageSource;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.error.StepFailedException;
import dev.jbuild.builder.plan.NetworkPolicy;
import dev.jbuild.builder.remotecache.RemoteCacheStore;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.registry.auth.Credential;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Builds the image from a Dockerfile, as {@code jbuild build} does, without a Docker daemon:
 * stores it in the jbuild store under every tag, and with {@code push} also pushes it. Progress
 * goes to the Maven log; a failed step fails the Maven build with one {@code [ERROR]} line naming
 * the Dockerfile line and the step's exit code (the stack trace only with {@code -e}).
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class BuildMojo extends AbstractJbuildMojo {
  /** The Dockerfile ({@code -f}). Default: {@code Dockerfile} in the context directory. */
  @Parameter(property = "jbuild.dockerfile")
  File dockerfile;

  /** The build context ({@code PATH}), read in place. */
  @Parameter(property = "jbuild.contextDirectory", defaultValue = "${project.basedir}")
  File contextDirectory;

  /** {@code --build-arg} values: {@code <buildArgs><VERSION>${project.version}</VERSION>}. */
  @Parameter
  Map<String, String> buildArgs;

  /** The stage to build ({@code --target}); default the last one. */
  @Parameter(property = "jbuild.target")
  String target;

  /** The target platform ({@code --platform}); only this machine's for now. */
  @Parameter(property = "jbuild.platform")
  String platform;

  /** The network of RUN steps: {@code default} (a bridge with NAT), {@code none} or {@code host}. */
  @Parameter(property = "jbuild.network", defaultValue = "default")
  String network;

  /** Ignores the build cache ({@code --no-cache}). */
  @Parameter(property = "jbuild.noCache", defaultValue = "false")
  boolean noCache;

  /** Always pulls base images, even when stored ({@code --pull}). */
  @Parameter(property = "jbuild.pull", defaultValue = "false")
  boolean pull;

  /** Pushes every tag after the build ({@code --push}); the {@code push} goal does it later. */
  @Parameter(property = "jbuild.push", defaultValue = "false")
  boolean push;

  /** Imported caches ({@code --cache-from}): {@code type=registry,ref=REF}, {@code REF}, ... */
  @Parameter
  List<String> cacheFrom;

  /** Cache exports ({@code --cache-to}): {@code type=registry,ref=REF,mode=max}, ... */
  @Parameter
  List<String> cacheTo;

  /** Secrets for {@code RUN --mount=type=secret} ({@code --secret}): {@code id=ID,src=PATH}. */
  @Parameter
  List<String> secrets;

  @Override
  @SuppressWarnings("try") // the store lease is held, never read
  void run() throws MojoExecutionException, MojoFailureException {
    BuildRequest request = request();
    String childReason = CliChild.reason();
    if (childReason != null) {
      runInChild(childReason, request);
      return;
    }
    RegistryOptions options = registryOptions();
    LayerStore store = openStore();
    MavenLogListener listener = new MavenLogListener(getLog());
    BuildResult result;
    try (FileLocks.Held lease = store.lease(); PluginRunner runner = new PluginRunner(storePath())) {
      ImageBuilder builder = new ImageBuilder(store, runner,
          new StoreBaseImageSource(store, options, listener::info), Instant::now,
          new RemoteCacheStore(store, options));
      result = builder.build(request, listener);
      if (push) {
        for (ImageReference tag : result.tags()) {
          Pushes.push(store, options, tag, result.stored() ? null : result.image(), getLog());
        }
      }
    } catch (BuildException e) {
      throw new MojoFailureException(located(e.getMessage(), request.dockerfile())
          + (e instanceof StepFailedException s && !e.getMessage().contains("exit code")
              ? " (exit code " + s.exitCode() + ")" : ""), e);
    } catch (IOException e) {
      throw new MojoExecutionException("Tried to lease the jbuild store at " + storePath()
          + " but failed because: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoExecutionException("jbuild: the build was interrupted", e);
    }
    getLog().info("jbuild: built " + result.image().id() + " as " + String.join(", ",
        result.tags().stream().map(ImageReference::familiar).toList()));
  }

  /**
   * The build through the {@code jbuild} command in a child JVM, with the same configuration,
   * log lines ({@code --progress rawjson} through {@link ChildProgress}) and error line.
   */
  private void runInChild(String reason, BuildRequest request)
      throws MojoExecutionException, MojoFailureException {
    Map<String, Credential> credentials = serverCredentials();
    ChildProgress progress = new ChildProgress(getLog());
    int code = runChild(reason, cliArguments(!credentials.isEmpty()), credentials,
        getLog()::info, progress::line);
    if (code != 0) {
      String message = progress.error() != null ? progress.error()
          : "the jbuild command exited with code " + code;
      if (!progress.buildFailed()) {
        throw new MojoExecutionException(message);
      }
      throw new MojoFailureException(located(message, request.dockerfile())
          + (progress.exitCode() != null && !message.contains("exit code")
              ? " (exit code " + progress.exitCode() + ")" : ""));
    }
    getLog().info("jbuild: built " + progress.imageId() + " as " + String.join(", ",
        request.tags().stream().map(ImageReference::familiar).toList()));
  }

  /**
   * The {@code jbuild build} command line of this configuration, after {@link #request()}
   * checked it: options the command reads as the plugin does, the secrets' files and variable
   * names (never values), and no credentials ({@code --registry-auth-stdin} reads them).
   */
  List<String> cliArguments(boolean credentialsOnStdin) throws MojoExecutionException {
    List<String> args = cliGlobals(credentialsOnStdin);
    args.addAll(List.of("build", "--progress", "rawjson"));
    if (dockerfile != null) {
      args.addAll(List.of("-f", dockerfile.getAbsolutePath()));
    }
    for (ImageReference tag : references()) {
      args.addAll(List.of("-t", tag.toString()));
    }
    if (buildArgs != null) {
      nonNullValues(buildArgs).forEach((k, v) -> args.addAll(List.of("--build-arg", k + "=" + v)));
    }
    if (target != null && !target.isBlank()) {
      args.addAll(List.of("--target", target.strip()));
    }
    if (platform != null && !platform.isBlank()) {
      args.addAll(List.of("--platform", platform.strip()));
    }
    args.addAll(List.of("--network", network == null ? "default"
        : network.strip().toLowerCase(Locale.ROOT)));
    if (noCache) {
      args.add("--no-cache");
    }
    if (pull) {
      args.add("--pull");
    }
    if (push) {
      args.add("--push");
    }
    orEmpty(cacheFrom).forEach(spec -> args.addAll(List.of("--cache-from", spec)));
    orEmpty(cacheTo).forEach(spec -> args.addAll(List.of("--cache-to", spec)));
    for (String spec : orEmpty(secrets)) {
      args.addAll(List.of("--secret", Secrets.cliSpec(spec)));
    }
    args.add((contextDirectory != null ? contextDirectory : project.getBasedir())
        .getAbsolutePath());
    return args;
  }

  /** The request the configuration describes; a bad value is one line naming it. */
  BuildRequest request() throws MojoExecutionException {
    Path context = (contextDirectory != null ? contextDirectory : project.getBasedir()).toPath();
    if (!Files.isDirectory(context)) {
      throw new MojoExecutionException("<contextDirectory> " + context + " is not a directory");
    }
    try {
      BuildRequest.Builder request = BuildRequest.builder(context)
          .dockerfile(dockerfile == null ? null : dockerfile.toPath())
          .tags(references())
          .buildArgs(buildArgs == null ? Map.of() : nonNullValues(buildArgs))
          .target(target == null || target.isBlank() ? null : target.strip())
          .platform(platform == null || platform.isBlank() ? null : hostPlatform(platform))
          .network(network(network))
          .noCache(noCache)
          .pull(pull)
          // Only pushed: layers of imported cache hits may stay in their registry.
          .lazyLayers(false);
      for (String spec : orEmpty(cacheFrom)) {
        request.cacheFrom(CacheSpec.parse(spec, false));
      }
      for (String spec : orEmpty(cacheTo)) {
        request.cacheTo(CacheSpec.parse(spec, true));
      }
      for (String spec : orEmpty(secrets)) {
        Secrets.add(request, spec);
      }
      return request.build();
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException("jbuild: invalid configuration: " + e.getMessage(), e);
    }
  }

  /**
   * Names the Dockerfile by its path (relative to the project when inside it) where the builder's
   * message starts with its bare file name ({@code Dockerfile:5: ...}), so the one error line
   * says which file of which module failed.
   */
  String located(String message, Path file) {
    String name = file.getFileName().toString();
    if (!message.startsWith(name + ":")) {
      return message;
    }
    Path absolute = file.toAbsolutePath().normalize();
    Path base = project.getBasedir().toPath().toAbsolutePath().normalize();
    String shown = absolute.startsWith(base) ? base.relativize(absolute).toString()
        : absolute.toString();
    return shown + message.substring(name.length());
  }

  private static Map<String, String> nonNullValues(Map<String, String> args) {
    Map<String, String> copy = new java.util.LinkedHashMap<>();
    // <ARG/> is an empty value (Maven gives null), as --build-arg ARG= would be.
    args.forEach((k, v) -> copy.put(k, v == null ? "" : v));
    return copy;
  }

  private static List<String> orEmpty(List<String> values) {
    return values == null ? List.of() : values.stream().filter(v -> v != null && !v.isBlank())
        .map(String::strip).toList();
  }

  private static NetworkPolicy network(String name) {
    switch (name == null ? "default" : name.strip().toLowerCase(Locale.ROOT)) {
      case "default":
        // Rootless mode has no bridge: the host network, as the jbuild command's default there.
        return dev.jbuild.layerstore.posix.Posix.inUserNamespace() ? NetworkPolicy.HOST
            : NetworkPolicy.BRIDGE;
      case "bridge":
        return NetworkPolicy.BRIDGE;
      case "none":
        return NetworkPolicy.NONE;
      case "host":
        return NetworkPolicy.HOST;
      default:
        throw new IllegalArgumentException("<network> '" + name
            + "': expected default, bridge, none or host");
    }
  }

  /** As {@code jbuild build --platform}: one platform, this machine's, until issue 16. */
  private static Platform hostPlatform(String spec) {
    Platform wanted = Platform.parse(spec.strip());
    Platform host = Platform.host();
    if (!wanted.os().equals(host.os()) || !wanted.architecture().equals(host.architecture())) {
      throw new IllegalArgumentException("<platform> " + spec + ": jbuild builds only for this"
          + " machine's platform (" + host + ") so far");
    }
    return wanted;
  }
}
