package dev.jbuild.builder.exec;

/**
 * A step that changes the filesystem (RUN, COPY, ADD, WORKDIR): described for the cache first,
 * then applied to a workspace only on a cache miss.
 */
interface FilesystemStep {
  /**
   * Everything the step's result depends on besides the layers below it, in a canonical text
   * form: expanded arguments, environment, user, content checksums of sources. Never secret
   * values.
   */
  String cacheKey() throws Exception;

  /**
   * A second key text that names what the step reads from another stage by that stage's layers
   * (their ChainID) instead of by its files' checksums, or empty. It needs none of the stage's
   * files, so a stage whose layers are lazy hits from an imported cache is never downloaded just
   * to compute the key of a {@code COPY --from} that hits too.
   */
  default java.util.Optional<String> chainCacheKey() throws Exception {
    return java.util.Optional.empty();
  }

  /**
   * Whether the layer must not depend on the layers below ({@code COPY --link}): it is then
   * written over an empty tree.
   */
  default boolean independentOfLower() {
    return false;
  }

  /** Writes the step's changes into the workspace's upperdir. */
  void apply(Workspace workspace) throws Exception;
}
