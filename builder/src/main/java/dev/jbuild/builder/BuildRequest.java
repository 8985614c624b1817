package dev.jbuild.builder;

import dev.jbuild.builder.cache.CacheSpec;
import dev.jbuild.builder.exec.BuildOptions;
import dev.jbuild.builder.exec.BuildOptions.Limits;
import dev.jbuild.builder.exec.BuildOptions.Secret;
import dev.jbuild.builder.plan.NamedContext;
import dev.jbuild.builder.plan.NetworkPolicy;
import dev.jbuild.builder.plan.PlanOptions;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.runner.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What to build: the {@code docker build} inputs, the library API's request ({@link
 * ImageBuilder#build}). Create with {@link #builder(Path)}; every field but the context has a
 * default (as {@code docker build PATH} with no flags). Immutable: collections are copied.
 *
 * @param contextDir the build context, read in place
 * @param dockerfile the Dockerfile (by default {@code contextDir/Dockerfile}, or {@code
 *     contextDir/dockerfile} when only that exists)
 * @param tags references to tag the result with (possibly none)
 * @param buildArgs {@code --build-arg} values
 * @param target the stage to build, or null for the last one
 * @param platform the target platform
 * @param network the default network of RUN steps ({@code RUN --network} overrides it)
 * @param noCache ignore the build cache for every step ({@code --no-cache})
 * @param noCacheStages stage names whose steps ignore the cache ({@code --no-cache-filter})
 * @param pull always pull base images, even when they are in the store ({@code --pull})
 * @param secrets {@code --secret} values by id
 * @param limits resource limits for every RUN step
 * @param sourceDateEpoch {@code SOURCE_DATE_EPOCH} in seconds, or null: the build arg of that
 *     name when none is given (as buildx passes the environment's). The build's epoch is that
 *     build arg's, else the Dockerfile's global {@code ARG SOURCE_DATE_EPOCH} default, resolved as
 *     BuildKit does; when there is one, history and config times are fixed to it and layer mtimes
 *     are clamped to it, so the same inputs give the same image digest
 * @param cacheFrom imported caches ({@code --cache-from}), asked in order after the store's own
 * @param cacheTo where to export the cache after the build ({@code --cache-to})
 * @param lazyLayers the image need not be stored locally (it is only pushed): layers of imported
 *     cache hits that no step needs then stay in their registry, and the result is not tagged
 * @param labels {@code --label} values, set on the image's config after the Dockerfile's LABELs
 *     (as BuildKit's {@code label:} options: they win, and add no history entry)
 * @param sandbox {@code --add-host}, {@code --shm-size} and {@code --ulimit} for every RUN step
 * @param namedContexts {@code --build-context} values by lower-case name
 */
public record BuildRequest(
    Path contextDir,
    Path dockerfile,
    List<ImageReference> tags,
    Map<String, String> buildArgs,
    String target,
    Platform platform,
    NetworkPolicy network,
    boolean noCache,
    Set<String> noCacheStages,
    boolean pull,
    Map<String, Secret> secrets,
    Limits limits,
    Long sourceDateEpoch,
    List<CacheSpec> cacheFrom,
    List<CacheSpec> cacheTo,
    boolean lazyLayers,
    Map<String, String> labels,
    Sandbox sandbox,
    Map<String, NamedContext> namedContexts) {

  /** Validates and copies. */
  public BuildRequest {
    Objects.requireNonNull(contextDir, "contextDir");
    dockerfile = dockerfile == null ? defaultDockerfile(contextDir) : dockerfile;
    tags = List.copyOf(tags);
    buildArgs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
    platform = platform == null ? Platform.host() : platform;
    network = network == null ? NetworkPolicy.NONE : network;
    noCacheStages = Set.copyOf(noCacheStages);
    secrets = Map.copyOf(secrets);
    limits = limits == null ? Limits.NONE : limits;
    cacheFrom = cacheFrom == null ? List.of() : List.copyOf(cacheFrom);
    cacheTo = cacheTo == null ? List.of() : List.copyOf(cacheTo);
    labels = labels == null ? Map.of()
        : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    sandbox = sandbox == null ? Sandbox.DEFAULT : sandbox;
    namedContexts = namedContexts == null ? Map.of() : Map.copyOf(namedContexts);
  }

  /**
   * {@code contextDir/Dockerfile}, or {@code contextDir/dockerfile} when only that exists: BuildKit
   * falls back to the lowercase name when no file was named (moby/moby#10858).
   */
  static Path defaultDockerfile(Path contextDir) {
    Path upper = contextDir.resolve("Dockerfile");
    Path lower = contextDir.resolve("dockerfile");
    return !java.nio.file.Files.exists(upper) && java.nio.file.Files.exists(lower) ? lower : upper;
  }

  /** A builder for a build of {@code contextDir}. */
  public static Builder builder(Path contextDir) {
    return new Builder(contextDir);
  }

  /** A request with defaults for everything but the context and tags. */
  public static BuildRequest of(Path contextDir, List<ImageReference> tags) {
    return builder(contextDir).tags(tags).build();
  }

  /**
   * What planning needs of this request: the target, build args and cache/network choices. A
   * {@code sourceDateEpoch} is the {@code SOURCE_DATE_EPOCH} build arg unless one is given, as
   * buildx passes the environment's; planning resolves it with the Dockerfile's default.
   */
  public PlanOptions planOptions() {
    Map<String, String> args = buildArgs;
    if (sourceDateEpoch != null && !args.containsKey("SOURCE_DATE_EPOCH")) {
      args = new LinkedHashMap<>(args);
      args.put("SOURCE_DATE_EPOCH", sourceDateEpoch.toString());
    }
    return new PlanOptions(dockerfile.getFileName().toString(), target, platform, args,
        network, noCache, noCacheStages, namedContexts);
  }

  /** What execution needs of this request: base pulls, secrets, limits, reproducibility. */
  public BuildOptions options() {
    return new BuildOptions(dockerfile.getFileName().toString(), platform, pull, secrets, limits,
        sourceDateEpoch, sandbox);
  }

  /**
   * This request for one platform of a multi-platform build: the same inputs on {@code p},
   * untagged (the index is what gets the tags) and stored (its layers are needed locally).
   */
  public BuildRequest forPlatform(Platform p) {
    return new BuildRequest(contextDir, dockerfile, List.of(), buildArgs, target, p, network,
        noCache, noCacheStages, pull, secrets, limits, sourceDateEpoch, cacheFrom, cacheTo, false,
        labels, sandbox, namedContexts);
  }

  /** Collects the optional parts of a request. */
  public static final class Builder {
    private final Path contextDir;
    private Path dockerfile;
    private final List<ImageReference> tags = new ArrayList<>();
    private final Map<String, String> buildArgs = new LinkedHashMap<>();
    private String target;
    private Platform platform;
    private NetworkPolicy network;
    private boolean noCache;
    private Set<String> noCacheStages = Set.of();
    private boolean pull;
    private final Map<String, Secret> secrets = new LinkedHashMap<>();
    private Limits limits;
    private Long sourceDateEpoch;
    private final List<CacheSpec> cacheFrom = new ArrayList<>();
    private final List<CacheSpec> cacheTo = new ArrayList<>();
    private boolean lazyLayers;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private Sandbox sandbox;
    private final Map<String, NamedContext> namedContexts = new LinkedHashMap<>();

    private Builder(Path contextDir) {
      this.contextDir = contextDir;
    }

    /** The Dockerfile ({@code -f}); null for {@code Dockerfile} in the context. */
    public Builder dockerfile(Path v) {
      dockerfile = v;
      return this;
    }

    /** Adds references to tag the image with ({@code -t}). */
    public Builder tags(List<ImageReference> v) {
      tags.addAll(v);
      return this;
    }

    /** Adds {@code --build-arg} values; later values for a name win. */
    public Builder buildArgs(Map<String, String> v) {
      buildArgs.putAll(v);
      return this;
    }

    /** The stage to build ({@code --target}); null for the last one. */
    public Builder target(String v) {
      target = v;
      return this;
    }

    /** The target platform ({@code --platform}); null for this machine's. */
    public Builder platform(Platform v) {
      platform = v;
      return this;
    }

    /** RUN steps' default network ({@code --network}); null for none. */
    public Builder network(NetworkPolicy v) {
      network = v;
      return this;
    }

    /** Ignores the build cache for every step ({@code --no-cache}). */
    public Builder noCache(boolean v) {
      noCache = v;
      return this;
    }

    /** Stages whose steps ignore the cache ({@code --no-cache-filter}). */
    public Builder noCacheStages(Set<String> v) {
      noCacheStages = v;
      return this;
    }

    /** Always pulls base images ({@code --pull}). */
    public Builder pull(boolean v) {
      pull = v;
      return this;
    }

    /** Adds a secret for {@code RUN --mount=type=secret,id=ID} ({@code --secret}). */
    public Builder secret(String id, Secret v) {
      secrets.put(id, v);
      return this;
    }

    /** Resource limits of every RUN step; null for none. */
    public Builder limits(Limits v) {
      limits = v;
      return this;
    }

    /** {@code SOURCE_DATE_EPOCH} in seconds, or null; see {@link BuildRequest}. */
    public Builder sourceDateEpoch(Long v) {
      sourceDateEpoch = v;
      return this;
    }

    /** Adds an imported cache ({@code --cache-from}); they are asked in the order added. */
    public Builder cacheFrom(CacheSpec v) {
      cacheFrom.add(v);
      return this;
    }

    /** Adds a cache export ({@code --cache-to}). */
    public Builder cacheTo(CacheSpec v) {
      cacheTo.add(v);
      return this;
    }

    /** See {@link BuildRequest#lazyLayers()}. */
    public Builder lazyLayers(boolean v) {
      lazyLayers = v;
      return this;
    }

    /** Adds {@code --label} values (a later value for a key replaces an earlier one). */
    public Builder labels(Map<String, String> v) {
      labels.putAll(v);
      return this;
    }

    /** Sets {@code --add-host}, {@code --shm-size} and {@code --ulimit} for every RUN step. */
    public Builder sandbox(Sandbox v) {
      sandbox = v;
      return this;
    }

    /** Adds a {@code --build-context}; {@code name} is matched case-insensitively. */
    public Builder namedContext(String name, NamedContext v) {
      namedContexts.put(name.toLowerCase(java.util.Locale.ROOT), v);
      return this;
    }

    /** The request. */
    public BuildRequest build() {
      return new BuildRequest(contextDir, dockerfile, tags, buildArgs, target, platform, network,
          noCache, noCacheStages, pull, secrets, limits, sourceDateEpoch, cacheFrom, cacheTo,
          lazyLayers, labels, sandbox, namedContexts);
    }
  }
}
