package dev.jbuild.registry;

import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.Response;
import java.io.IOException;

/**
 * One request of the distribution API and what its answer means, executed by
 * {@link RegistryEndpointCaller}. The shape follows Jib's {@code RegistryEndpointProvider}
 * (method and route in {@link #request}, {@link #handleResponse}, {@link #actionDescription});
 * authentication, retries and error mapping are the caller's job, not the endpoint's.
 *
 * @param <T> what a successful answer yields
 */
interface RegistryEndpoint<T> {

  /** What the request does, completing "Tried to …" in error messages. */
  String actionDescription();

  /** The authorization the request needs. */
  Scope scope();

  /**
   * The request without {@code Authorization}; called once per attempt, and its body may be sent
   * twice (again after an authentication challenge).
   */
  Request request();

  /**
   * Whether {@link #handleResponse} understands {@code status}; any other status is turned into
   * an exception by {@link ResponseFailures} (a {@code 401} after the one resend included).
   */
  boolean accepts(int status);

  /** Which exception a {@code 404} without a registry error code stands for. */
  default ResponseFailures.NotFound notFound() {
    return ResponseFailures.NotFound.OTHER;
  }

  /**
   * Reads the answer; the caller closes {@code response}.
   *
   * @throws IOException if reading the answer fails (the caller reports it as a network failure),
   *     or a {@link LocalIOException} wrapping a failure of the caller's own stream
   * @throws RegistryException if the answer is wrong
   */
  T handleResponse(Response response) throws IOException, RegistryException;
}
