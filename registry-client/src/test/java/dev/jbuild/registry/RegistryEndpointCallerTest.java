package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.registry.auth.Authenticator;
import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.HttpExecutor;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.Response;
import dev.jbuild.registry.testing.FakeServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link RegistryEndpointCaller}: what is retried, how often, and which failures are the
 * caller's own. Uses a scripted server for statuses a real registry cannot be made to send.
 */
class RegistryEndpointCallerTest {
  /** What the test endpoint makes of a 200. */
  @FunctionalInterface
  private interface Handler {
    String handle(Response response) throws IOException, RegistryException;
  }

  /** {@code GET /v2/a/b/thing}, accepting 200 only; a 404 means a missing blob. */
  private static RegistryEndpoint<String> thing(URI base, Handler handler) {
    return new RegistryEndpoint<>() {
      @Override
      public String actionDescription() {
        return "get the thing";
      }

      @Override
      public Scope scope() {
        return Scope.pull("a/b");
      }

      @Override
      public Request request() {
        return Request.get(base.resolve("/v2/a/b/thing"));
      }

      @Override
      public boolean accepts(int status) {
        return status == 200;
      }

      @Override
      public ResponseFailures.NotFound notFound() {
        return ResponseFailures.NotFound.BLOB;
      }

      @Override
      public String handleResponse(Response response) throws IOException, RegistryException {
        return handler.handle(response);
      }
    };
  }

  private static Handler readText() {
    return response -> new String(response.readBody(1024), StandardCharsets.UTF_8);
  }

  private static RegistryEndpointCaller caller(FakeServer server, int attempts) {
    URI base = URI.create("http://" + server.address());
    HttpExecutor http = HttpExecutor.create(RegistryOptions.defaults().timeouts(), "test");
    Authenticator authenticator = new Authenticator(http, base, server.address(), Optional.empty());
    RegistryTarget target =
        new RegistryTarget(server.address(), "a/b", new RegistryUrls(base, "a/b"));
    return new RegistryEndpointCaller(server.address(), http, authenticator,
        new RetryPolicy(attempts, Duration.ZERO, Duration.ZERO, Duration.ZERO),
        new ResponseFailures(target, authenticator));
  }

  private static URI base(FakeServer server) {
    return URI.create("http://" + server.address());
  }

  /** Answers {@code 503} to the first {@code failures} requests, then {@code 200 ok}. */
  private static FakeServer failingFirst(int failures) throws IOException {
    AtomicInteger count = new AtomicInteger();
    return new FakeServer(e -> {
      if (count.incrementAndGet() <= failures) {
        FakeServer.respond(e, 503, Map.of(), new byte[0]);
      } else {
        FakeServer.respond(e, 200, Map.of(), "ok".getBytes(StandardCharsets.UTF_8));
      }
    });
  }

  @Test
  void call_transientStatus_isRetriedUntilItSucceeds() throws Exception {
    try (FakeServer server = failingFirst(2)) {
      assertEquals("ok", caller(server, 3).call(thing(base(server), readText())));
      assertEquals(3, server.requests().size());
    }
  }

  @Test
  void call_transientStatus_givesUpAfterTheLastAttempt() throws Exception {
    try (FakeServer server = failingFirst(5)) {
      RegistryException e = assertThrows(RegistryException.class,
          () -> caller(server, 2).call(thing(base(server), readText())));
      assertEquals("Tried to get the thing but failed because: HTTP 503 (gave up after 2"
          + " attempts)", e.getMessage());
      assertEquals(2, server.requests().size());
    }
  }

  @Test
  void call_unexpectedStatus_isMappedWithTheEndpointsNotFound_andNotRetried() throws Exception {
    try (FakeServer server = new FakeServer(e -> FakeServer.respond(e, 404, Map.of(),
        new byte[0]))) {
      assertThrows(BlobUnknownException.class,
          () -> caller(server, 3).call(thing(base(server), readText())));
      assertEquals(1, server.requests().size());
    }
  }

  @Test
  void callOnce_localFailureInTheHandler_isThrownAsIs_andNotRetried() throws Exception {
    IOException disk = new IOException("No space left on device");
    try (FakeServer server = failingFirst(0)) {
      RegistryEndpointCaller caller = caller(server, 3);
      IOException e = assertThrows(IOException.class, () -> caller.withRetries(
          () -> caller.callOnce(thing(base(server), response -> {
            throw new LocalIOException(disk);
          }))));
      assertSame(disk, e);
      assertEquals(1, server.requests().size());
    }
  }

  @Test
  void callOnce_networkFailureInTheHandler_isATransientRegistryFailure() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (FakeServer server = failingFirst(0)) {
      RegistryException e = assertThrows(RegistryException.class,
          () -> caller(server, 2).call(thing(base(server), response -> {
            calls.incrementAndGet();
            throw new IOException("connection reset");
          })));
      assertTrue(e.isTransient());
      assertEquals("Tried to get the thing but failed because: I/O error talking to "
          + server.address() + ": connection reset (gave up after 2 attempts)", e.getMessage());
      assertEquals(2, calls.get());
    }
  }
}
