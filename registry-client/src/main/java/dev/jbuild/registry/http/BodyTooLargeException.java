package dev.jbuild.registry.http;

import java.io.IOException;

/**
 * A response body was larger than the reader's limit ({@link Response#readBody}). Not transient:
 * the server would send the same body again, so callers must not retry (issue #10).
 */
public final class BodyTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long limit;

  BodyTooLargeException(String message, long limit) {
    super(message);
    this.limit = limit;
  }

  /** The limit that was exceeded, in bytes. */
  public long limit() {
    return limit;
  }
}
