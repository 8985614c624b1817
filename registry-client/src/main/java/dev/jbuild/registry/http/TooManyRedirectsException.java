package dev.jbuild.registry.http;

import java.io.IOException;

/**
 * A request was redirected more than {@link HttpExecutor#MAX_REDIRECTS} times. Not transient: a
 * redirect loop stays a loop, so callers must not retry (issue #10).
 */
public final class TooManyRedirectsException extends IOException {
  private static final long serialVersionUID = 1L;

  TooManyRedirectsException(String message) {
    super(message);
  }
}
