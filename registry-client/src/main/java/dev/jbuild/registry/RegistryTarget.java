package dev.jbuild.registry;

/**
 * The repository a {@link RegistryClient} talks to, and the words its messages use for it.
 *
 * @param registry {@code host[:port]} as the user named it
 * @param repository for example {@code library/busybox}
 * @param urls the API URLs of that repository
 */
record RegistryTarget(String registry, String repository, RegistryUrls urls) {

  /** {@code registry/repository}, as messages name the repository. */
  String name() {
    return registry + "/" + repository;
  }

  /** {@code registry/repository:tag} or {@code registry/repository@digest}. */
  String display(String tagOrDigest) {
    return name() + (tagOrDigest.indexOf(':') >= 0 ? "@" : ":") + tagOrDigest;
  }
}
