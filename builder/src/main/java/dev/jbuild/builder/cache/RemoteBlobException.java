package dev.jbuild.builder.cache;

import java.io.IOException;

/**
 * A layer that an imported cache promised could not be fetched (gone, unreachable, corrupt), or
 * one it {@linkplain #omitted() omitted} ({@code mode=min}) where a step needed its files.
 * The build then starts again without imported caches, or without their omitted layers: a bad
 * cache is a miss, never a failure.
 */
public final class RemoteBlobException extends IOException {
  private final transient CacheSource source;
  private final boolean omitted;

  /** A failure to fetch from {@code source}. */
  public RemoteBlobException(CacheSource source, String message, Throwable cause) {
    this(source, message, cause, false);
  }

  private RemoteBlobException(CacheSource source, String message, Throwable cause,
      boolean omitted) {
    super(message, cause);
    this.source = source;
    this.omitted = omitted;
  }

  /** A step needs the files of a layer that {@code source} lists without its blob. */
  public static RemoteBlobException omitted(CacheSource source, String message) {
    return new RemoteBlobException(source, message, null, true);
  }

  /** The cache that failed. */
  public CacheSource source() {
    return source;
  }

  /**
   * Whether the cache did not fail but omitted the layer by design ({@code mode=min}): the
   * build runs the step instead, which is no reason for a warning.
   */
  public boolean omitted() {
    return omitted;
  }
}
