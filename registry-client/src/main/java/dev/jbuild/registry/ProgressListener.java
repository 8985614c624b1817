package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageReference;

/**
 * Hears about blob transfers, for example to print docker-like {@code <id>: Pushed} and
 * {@code <id>: Layer already exists} lines. Every method has an empty default.
 *
 * <p>Implementations must be thread-safe: blobs move in parallel and events arrive from pool
 * threads. They must not throw.
 */
public interface ProgressListener {

  /** A listener that ignores everything. */
  ProgressListener NONE = new ProgressListener() {};

  /** A transfer of {@code blob} starts. */
  default void blobStarted(Descriptor blob) {}

  /** {@code blob} needs no transfer: the destination already has it. */
  default void blobSkipped(Descriptor blob) {}

  /**
   * {@code bytes} of {@code blob} have been sent or received so far in the current attempt (a
   * retry starts again from where it resumes). Called often; keep it cheap.
   */
  default void blobProgress(Descriptor blob, long bytes) {}

  /** {@code blob} was mounted from {@code fromRepository} of the same registry; no upload. */
  default void blobMounted(Descriptor blob, String fromRepository) {}

  /** {@code blob} has been transferred and verified. */
  default void blobDone(Descriptor blob) {}

  /** Manifest {@code digest} has been pushed to, or pulled from, {@code reference}. */
  default void manifestDone(ImageReference reference, Digest digest) {}

  /**
   * Something the user should know although the transfer goes on, in one line without a prefix
   * (for example: the registry refused an OCI image index, which was pushed as a Docker manifest
   * list instead).
   */
  default void warning(String message) {}
}
