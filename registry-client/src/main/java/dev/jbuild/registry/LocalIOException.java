package dev.jbuild.registry;

import java.io.IOException;

/**
 * Marks an {@link IOException} of the caller's own streams (a {@link BlobSource} being uploaded,
 * the {@code OutputStream} a blob is pulled into) while it travels through the HTTP client, so
 * that {@link RegistryEndpointCaller} rethrows it as is instead of blaming the network.
 */
final class LocalIOException extends IOException {
  private static final long serialVersionUID = 1L;

  LocalIOException(IOException cause) {
    super(cause.getMessage(), cause);
  }

  @Override
  public synchronized IOException getCause() {
    return (IOException) super.getCause();
  }

  /** The caller's own I/O failure hidden in {@code e}'s causes, or null if the network failed. */
  static IOException unwrap(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof LocalIOException) {
        return ((LocalIOException) t).getCause();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
