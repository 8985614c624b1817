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
   * Whether the layer must not depend on the layers below ({@code COPY --link}): it is then
   * written over an empty tree.
   */
  default boolean independentOfLower() {
    return false;
  }

  /** Writes the step's changes into the workspace's upperdir. */
  void apply(Workspace workspace) throws Exception;
}
