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
 */
public record PlanOptions(String dockerfileName, String target, Platform platform,
    Map<String, String> buildArgs, NetworkPolicy network, boolean noCache,
    Set<String> noCacheStages) {
  /** Validates and copies; the build arguments keep their order. */
  public PlanOptions {
    Objects.requireNonNull(dockerfileName, "dockerfileName");
    Objects.requireNonNull(platform, "platform");
    buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
    network = network == null ? NetworkPolicy.NONE : network;
    noCacheStages = Set.copyOf(noCacheStages);
  }
}
