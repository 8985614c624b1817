package dev.jbuild.builder;

import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to build: the {@code docker build} inputs.
 *
 * @param contextDir the build context, read in place
 * @param dockerfile the Dockerfile (by default {@code contextDir/Dockerfile})
 * @param tags references to tag the result with (possibly none)
 * @param buildArgs {@code --build-arg} values
 * @param target the stage to build, or null for the last one
 * @param platform the target platform
 * @param network the network mode of RUN steps
 */
public record BuildRequest(
    Path contextDir,
    Path dockerfile,
    List<ImageReference> tags,
    Map<String, String> buildArgs,
    String target,
    Platform platform,
    NetworkPolicy network) {

  /** Validates and copies. */
  public BuildRequest {
    Objects.requireNonNull(contextDir, "contextDir");
    dockerfile = dockerfile == null ? contextDir.resolve("Dockerfile") : dockerfile;
    tags = List.copyOf(tags);
    buildArgs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
    platform = platform == null ? Platform.host() : platform;
    network = network == null ? NetworkPolicy.NONE : network;
  }

  /** A request with defaults for everything but the context. */
  public static BuildRequest of(Path contextDir, List<ImageReference> tags) {
    return new BuildRequest(contextDir, null, tags, Map.of(), null, null, null);
  }

  /** Network modes a RUN step may get. */
  public enum NetworkPolicy {
    /** A private network namespace with only {@code lo}. */
    NONE,
    /** The host's network namespace. */
    HOST
  }
}
