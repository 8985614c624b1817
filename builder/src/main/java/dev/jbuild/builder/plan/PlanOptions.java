package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.Platform;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What planning needs of a build's request.
 *
 * @param dockerfileName the Dockerfile's file name, which prefixes located error messages
 * @param target the stage to build (name or index), or null for the last
 * @param platform the target platform ({@code TARGETPLATFORM} and friends)
 * @param buildArgs {@code --build-arg} values, in order
 * @param network the default network of RUN steps
 * @param noCache whether every step ignores the build cache ({@code --no-cache})
 * @param noCacheStages stage names whose steps ignore the cache ({@code --no-cache-filter})
 * @param namedContexts {@code --build-context} values by lower-case name: they replace a stage
 *     or an image of that name in FROM, {@code COPY --from} and {@code RUN --mount from=}
 */
public record PlanOptions(String dockerfileName, String target, Platform platform,
    Map<String, String> buildArgs, NetworkPolicy network, boolean noCache,
    Set<String> noCacheStages, Map<String, NamedContext> namedContexts) {
  /** Validates and copies; the build arguments keep their order. */
  public PlanOptions {
    Objects.requireNonNull(dockerfileName, "dockerfileName");
    Objects.requireNonNull(platform, "platform");
    buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
    network = network == null ? NetworkPolicy.NONE : network;
    noCacheStages = Set.copyOf(noCacheStages);
    namedContexts = namedContexts == null ? Map.of() : Map.copyOf(namedContexts);
  }

  /** Options without named contexts. */
  public PlanOptions(String dockerfileName, String target, Platform platform,
      Map<String, String> buildArgs, NetworkPolicy network, boolean noCache,
      Set<String> noCacheStages) {
    this(dockerfileName, target, platform, buildArgs, network, noCache, noCacheStages, Map.of());
  }

  /** The named context {@code reference} names (case-insensitive, as stage names), or null. */
  public NamedContext namedContext(String reference) {
    return namedContexts.get(reference.toLowerCase(java.util.Locale.ROOT));
  }
}
