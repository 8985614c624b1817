package dev.jbuild.registry;

import dev.jbuild.registry.auth.Authenticator;
import dev.jbuild.registry.http.BodyTooLargeException;
import dev.jbuild.registry.http.Response;
import dev.jbuild.registry.http.TooManyRedirectsException;
import dev.jbuild.registry.json.ErrorResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/**
 * Maps what went wrong talking to one repository — an error response or a network failure — to
 * the most specific {@link RegistryException}, keeping the registry's own words and adding what to
 * check. Marks the failures that are worth retrying (see {@link RetryPolicy}). Thread-safe.
 */
final class ResponseFailures {
  private static final int MAX_ERROR_BYTES = 64 << 10;

  /** Which exception a {@code 404} without a registry error code stands for. */
  enum NotFound { MANIFEST, BLOB, OTHER }

  private final RegistryTarget target;
  private final Authenticator authenticator;

  ResponseFailures(RegistryTarget target, Authenticator authenticator) {
    this.target = target;
    this.authenticator = authenticator;
  }

  /** The failure {@code response} (an unexpected status) stands for; reads its error body. */
  RegistryException fromResponse(String action, Response response, NotFound notFound) {
    RegistryException e =
        fromStatus(action, response.statusCode(), readErrorBody(response), notFound);
    if (RetryPolicy.isTransientStatus(response.statusCode())) {
      e.markTransient(RetryPolicy.retryAfter(response));
    }
    return e;
  }

  /** At most 64 KiB of an error body; empty if it cannot be read (the status still tells). */
  static byte[] readErrorBody(Response response) {
    try {
      return response.readBody(MAX_ERROR_BYTES);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** Maps an error response to the most specific exception, keeping the registry's words. */
  RegistryException fromStatus(String action, int status, byte[] body, NotFound notFound) {
    Optional<ErrorResponse> errors = ErrorResponse.parse(body);
    String reason;
    String code = null;
    if (errors.isPresent()) {
      reason = errors.get().errors().stream().map(ErrorResponse.Entry::describe)
          .collect(Collectors.joining("; "));
      code = errors.get().errors().get(0).code();
    } else {
      reason = "HTTP " + status + plainTextSnippet(body);
    }
    String message = new RegistryErrorExceptionBuilder(action).message(reason);
    String registry = target.registry();
    boolean unauthorized = status == 401 || (errors.isPresent()
        && errors.get().hasCode("UNAUTHORIZED"));
    boolean denied = status == 403 || (errors.isPresent() && errors.get().hasCode("DENIED"));
    if (unauthorized) {
      return new RegistryUnauthorizedException(message + (authenticator.hasCredential()
          ? " (the registry rejected the credentials for " + registry + ")"
          : " (no credentials are configured for " + registry + "; log in with `docker login "
              + registry + "`)"), code, status, null);
    }
    if (denied) {
      return new RegistryUnauthorizedException(
          message + " (the credentials for " + registry + " lack permission for "
              + target.repository() + ")", code, status, null);
    }
    boolean manifestUnknown = errors.isPresent() ? errors.get().hasCode("MANIFEST_UNKNOWN")
        : status == 404 && notFound == NotFound.MANIFEST;
    if (manifestUnknown) {
      return new ManifestUnknownException(message, code, status);
    }
    boolean blobUnknown = errors.isPresent() ? errors.get().hasCode("BLOB_UNKNOWN")
        && notFound == NotFound.BLOB : status == 404 && notFound == NotFound.BLOB;
    if (blobUnknown) {
      return new BlobUnknownException(message, code, status);
    }
    return new RegistryException(message, code, status, null);
  }

  private static String plainTextSnippet(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    if (text.isEmpty() || text.startsWith("<")) {
      return "";
    }
    return ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text);
  }

  /** Turns a network-level exception into a message that says what to check. */
  RegistryException fromTransport(String action, IOException e) {
    String host = target.urls().base().getAuthority();
    String reason;
    if (e instanceof ConnectException) {
      reason = "cannot connect to " + host + " (connection refused). Is the registry running?";
    } else if (e instanceof UnknownHostException) {
      reason = "cannot resolve the registry host " + target.urls().base().getHost();
    } else if (e instanceof NoRouteToHostException) {
      reason = "no route to " + host;
    } else if (e instanceof SocketTimeoutException) {
      reason = host + " did not answer in time (" + e.getMessage() + ")";
    } else if (e instanceof TooManyRedirectsException) {
      reason = "the registry " + e.getMessage() + "; a redirect loop does not go away on retry";
    } else if (e instanceof BodyTooLargeException) {
      reason = "the registry sent more than the limit of "
          + (((BodyTooLargeException) e).limit() >> 20) + " MiB (" + e.getMessage() + ")";
    } else if (e instanceof SSLException) {
      reason = "the TLS handshake with " + host + " failed (" + e.getMessage() + "). If the"
          + " registry serves plain HTTP, mark " + target.registry() + " as an insecure registry"
          + " with --insecure-registry " + target.registry();
    } else {
      reason = "I/O error talking to " + host + ": " + e.getMessage();
    }
    RegistryException failure = new RegistryException(
        new RegistryErrorExceptionBuilder(action).message(reason), null, 0, e);
    return RetryPolicy.isTransientIo(e) ? failure.markTransient(null) : failure;
  }
}
