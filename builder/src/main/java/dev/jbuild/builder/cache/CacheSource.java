package dev.jbuild.builder.cache;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.oci.Descriptor;
import java.io.IOException;

/**
 * An imported cache ({@code --cache-from}): its entries were read when it was opened; its layer
 * blobs stay where they are until a step needs one ({@link #fetch}).
 */
public interface CacheSource {
  /** How the user named it ({@code registry 127.0.0.1:5000/app:cache}), for messages. */
  String describe();

  /**
   * The registry ({@code host[:port]}) whose repository holds its blobs, so that a push to that
   * registry can mount them; null when it is not in a registry.
   */
  default String registry() {
    return null;
  }

  /** The entries read from it (empty when it could not be read). */
  CacheConfig config();

  /**
   * Copies blob {@code layer} into {@code content}, verifying its digest and size.
   *
   * @throws IOException saying what failed (unreachable, missing, corrupt)
   */
  void fetch(Descriptor layer, ContentStore content) throws IOException;
}
