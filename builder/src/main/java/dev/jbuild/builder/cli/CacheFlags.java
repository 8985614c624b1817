package dev.jbuild.builder.cli;

import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.cache.CacheSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The build cache flags of {@code jbuild build} ({@code --no-cache}, {@code --no-cache-filter},
 * {@code --cache-from}, {@code --cache-to}), mixed into {@link BuildCommand}.
 */
final class CacheFlags {
  @Option(names = "--no-cache", description = "Do not use the build cache.")
  boolean noCache;

  @Option(names = "--no-cache-filter", paramLabel = "STAGE", split = ",",
      description = "Do not use the build cache for these stages.")
  List<String> noCacheFilter = new ArrayList<>();

  @Option(names = "--cache-from", paramLabel = "type=registry,ref=REF|type=local,src=DIR|REF",
      description = "Import a build cache (repeatable, tried in order after the local one); an"
          + " image pushed with --cache-to type=inline is one too. Only manifests and configs are"
          + " read; a layer is fetched when a step needs it. A cache that cannot be read is a"
          + " warning.")
  List<String> cacheFrom = new ArrayList<>();

  @Option(names = "--cache-to", paramLabel = "type=registry,ref=REF[,mode=min|max]|type=local,"
      + "dest=DIR|type=inline",
      description = "Export the build cache (repeatable): mode=min (default) the final image's"
          + " steps, mode=max every step of every stage.")
  List<String> cacheTo = new ArrayList<>();

  /**
   * Validates the flags and sets them on {@code request}.
   *
   * @throws IllegalArgumentException one line naming the bad cache spec
   */
  void apply(BuildRequest.Builder request) {
    request.noCache(noCache).noCacheStages(Set.copyOf(noCacheFilter));
    for (String spec : cacheFrom) {
      request.cacheFrom(CacheSpec.parse(spec, false));
    }
    for (String spec : cacheTo) {
      request.cacheTo(CacheSpec.parse(spec, true));
    }
  }
}
