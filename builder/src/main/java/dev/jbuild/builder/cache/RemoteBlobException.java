package dev.jbuild.builder.cache;

import java.io.IOException;

/**
 * A layer that an imported cache promised could not be fetched (gone, unreachable, corrupt).
 * The build then starts again without imported caches: a bad cache is a miss, never a failure.
 */
public final class RemoteBlobException extends IOException {
  private final transient CacheSource source;

  /** A failure to fetch from {@code source}. */
  public RemoteBlobException(CacheSource source, String message, Throwable cause) {
    super(message, cause);
    this.source = source;
  }

  /** The cache that failed. */
  public CacheSource source() {
    return source;
  }
}
