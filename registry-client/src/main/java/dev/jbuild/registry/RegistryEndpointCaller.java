package dev.jbuild.registry;

import dev.jbuild.registry.auth.AuthenticationException;
import dev.jbuild.registry.auth.Authenticator;
import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.HttpExecutor;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.Response;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes {@link RegistryEndpoint}s for one repository: adds authorization, resends once after a
 * {@code 401} challenge, maps failures through {@link ResponseFailures} and repeats transient
 * failures as the {@link RetryPolicy} says. Jib's {@code RegistryEndpointCaller} plays the same
 * role. Thread-safe.
 */
final class RegistryEndpointCaller {
  // Logged under RegistryClient, where users and their logging configs have always seen it.
  private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);

  private final String registry;
  private final HttpExecutor http;
  private final Authenticator authenticator;
  private final RetryPolicy retryPolicy;
  private final ResponseFailures failures;

  RegistryEndpointCaller(String registry, HttpExecutor http, Authenticator authenticator,
      RetryPolicy retryPolicy, ResponseFailures failures) {
    this.registry = registry;
    this.http = http;
    this.authenticator = authenticator;
    this.retryPolicy = retryPolicy;
    this.failures = failures;
  }

  /**
   * Calls {@code endpoint}, trying again after transient failures. For endpoints that touch no
   * caller streams: every failure is a {@link RegistryException}.
   */
  <T> T call(RegistryEndpoint<T> endpoint) throws RegistryException {
    try {
      return withRetries(() -> callOnce(endpoint));
    } catch (RegistryException e) {
      throw e;
    } catch (IOException e) {
      throw new RegistryException(e.getMessage(), e);
    }
  }

  /**
   * Calls {@code endpoint} once (with at most one resend after an authentication challenge).
   *
   * @throws IOException only a failure of the caller's own streams, unwrapped from its
   *     {@link LocalIOException}; network failures become {@link RegistryException}s
   * @throws RegistryException if the registry fails, refuses or cannot be reached
   */
  <T> T callOnce(RegistryEndpoint<T> endpoint) throws IOException, RegistryException {
    String action = endpoint.actionDescription();
    try (Response response = send(action, endpoint.scope(), endpoint.request())) {
      if (!endpoint.accepts(response.statusCode())) {
        throw failures.fromResponse(action, response, endpoint.notFound());
      }
      return endpoint.handleResponse(response);
    } catch (IOException e) {
      IOException local = LocalIOException.unwrap(e);
      if (local != null) {
        throw local;
      }
      throw failures.fromTransport(action, e);
    }
  }

  /**
   * Runs {@code attempt}, repeating it after transient failures as the {@link RetryPolicy} says.
   * Non-transient failures and local I/O errors are thrown at once.
   */
  <T> T withRetries(Attempt<T> attempt) throws IOException, RegistryException {
    for (int n = 1; ; n++) {
      try {
        return attempt.run();
      } catch (RegistryException e) {
        if (!e.isTransient()) {
          throw e;
        }
        if (n >= retryPolicy.maxAttempts()) {
          throw n > 1 ? e.gaveUpAfter(n) : e;
        }
        Duration wait = retryPolicy.delay(n, e.retryAfter());
        LOG.info("{}; retrying in {} ms (attempt {} of {})", e.getMessage(), wait.toMillis(),
            n + 1, retryPolicy.maxAttempts());
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting to retry: "
              + e.getMessage());
        }
      }
    }
  }

  /** One try of an operation. */
  @FunctionalInterface
  interface Attempt<T> {
    T run() throws IOException, RegistryException;
  }

  /**
   * Sends {@code request} with the authorization {@code scope} needs; after a {@code 401}, lets the
   * authenticator learn the challenge and resends once. Returns whatever the final answer is.
   */
  private Response send(String action, Scope scope, Request request)
      throws IOException, RegistryException {
    Request first = authorize(action, scope, request);
    Response response = execute(first);
    if (response.statusCode() != 401) {
      return response;
    }
    List<String> challenges = response.headers("www-authenticate");
    byte[] body = ResponseFailures.readErrorBody(response);
    boolean retry;
    try {
      // Whether this request carried credentials matters: a parallel request may have learned
      // the challenge while this one was on its way anonymously.
      retry = authenticator.handleUnauthorized(challenges, scope,
          !first.headers("authorization").isEmpty());
    } catch (AuthenticationException e) {
      throw new RegistryErrorExceptionBuilder(action).unauthorized(e);
    }
    if (!retry) {
      throw failures.fromStatus(action, 401, body, ResponseFailures.NotFound.OTHER);
    }
    return execute(authorize(action, scope, request));
  }

  private Request authorize(String action, Scope scope, Request request)
      throws IOException, RegistryException {
    try {
      Optional<String> authorization = authenticator.authorization(scope);
      return authorization.isPresent()
          ? request.withHeader("Authorization", authorization.get()) : request;
    } catch (AuthenticationException e) {
      throw new RegistryErrorExceptionBuilder(action).unauthorized(e);
    }
  }

  private Response execute(Request request) throws IOException {
    Response response = http.execute(request);
    for (String warning : response.headers("warning")) {
      LOG.warn("{} says: {}", registry, warning);
    }
    return response;
  }
}
