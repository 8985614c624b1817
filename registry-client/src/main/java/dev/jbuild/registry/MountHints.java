package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;
import java.util.List;
import java.util.Objects;

/**
 * Where else a blob is known to live, so that {@link ImagePusher} can ask the registry to mount it
 * ({@code POST …/uploads/?mount=&from=}) instead of uploading it: typically the repository an image
 * was pulled from or pushed to before (Docker keeps the same "v2 metadata"). Hints are only hints:
 * a registry that declines a mount gets the blob uploaded.
 */
@FunctionalInterface
public interface MountHints {

  /** No hints. */
  MountHints NONE = digest -> List.of();

  /** Repositories believed to hold {@code digest}, most recent first. Must not throw. */
  List<Location> locations(Digest digest);

  /**
   * A repository of a registry.
   *
   * @param registry {@code host[:port]}
   * @param repository for example {@code library/busybox}
   */
  record Location(String registry, String repository) {
    /** Validates. */
    public Location {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(repository, "repository");
    }

    @Override
    public String toString() {
      return registry + "/" + repository;
    }
  }
}
