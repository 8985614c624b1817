package dev.jbuild.registry.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.registry.testing.FakeServer;
import dev.jbuild.registry.testing.HostileServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue #10 item 5: {@link HttpExecutor} gives small requests an overall deadline, fails blob
 * transfers only after a silence, and says what it is waiting for. Bounds are generous; nothing
 * asserts how long anything took.
 */
class ExchangeTimeoutsTest {
  private final List<String> notices = new CopyOnWriteArrayList<>();

  private HttpExecutor http(double request, double stall, double notice) {
    return HttpExecutor.create(new Timeouts(Duration.ofSeconds(2), millis(request),
        millis(stall), millis(notice)), "jbuild-test", notices::add);
  }

  private static Duration millis(double seconds) {
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  /** A server that accepts and never answers: the request fails at its deadline, after a notice. */
  @Test
  void silentServer_smallRequest_failsAtItsDeadline_afterSayingWhatItWaitsFor() throws Exception {
    try (HostileServer server = new HostileServer(HostileServer.Behaviour.SILENT)) {
      Request get = Request.get(URI.create("http://" + server.address()
          + "/v2/hostile/app/manifests/v1"));
      SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
          () -> http(1.5, 60, 0.5).execute(get));
      assertEquals("GET /v2/hostile/app/manifests/v1 did not complete within 1.5 s",
          e.getMessage());
      assertEquals(1, notices.size(), notices.toString());
      assertTrue(notices.get(0).startsWith("Still waiting for " + server.address()
          + " to answer GET /v2/hostile/app/manifests/v1 (nothing for 0.5"), notices.get(0));
      assertTrue(notices.get(0).endsWith("; gives up 1.5 s after the start)"), notices.get(0));
    }
  }

  /** Headers, part of a small body, then silence: the deadline covers the body too. */
  @Test
  void stallMidBody_smallRequest_failsAtItsDeadline() throws Exception {
    try (HostileServer server = new HostileServer(HostileServer.Behaviour.STALL_MID_BODY)) {
      Request get = Request.get(URI.create("http://" + server.address() + "/v2/a/manifests/v1"));
      try (Response response = http(1, 60, 30).execute(get)) {
        assertEquals(200, response.statusCode());
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
            () -> response.readBody(2 << 20));
        assertEquals("GET /v2/a/manifests/v1 did not complete within 1 s", e.getMessage());
      }
    }
  }

  /**
   * A blob transfer has no overall deadline (1 s here) but fails after a silence (1.5 s), having
   * said what it waits for.
   */
  @Test
  void stallMidBody_transfer_failsAfterTheSilenceLimit_notAtTheDeadline() throws Exception {
    try (HostileServer server = new HostileServer(HostileServer.Behaviour.STALL_MID_BODY)) {
      Request get = Request.get(URI.create("http://" + server.address()
          + "/v2/a/blobs/sha256:00")).asTransfer();
      try (Response response = http(1, 1.5, 0.5).execute(get)) {
        InputStream in = response.body();
        assertEquals(1000, in.readNBytes(1000).length);
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, in::read);
        assertEquals("GET /v2/a/blobs/sha256:00 stalled: no data for 1.5 s after 1000 bytes",
            e.getMessage());
      }
      assertEquals(1, notices.size(), notices.toString());
      assertTrue(notices.get(0).startsWith("Still waiting for " + server.address() + " to send"
          + " more of the response to GET /v2/a/blobs/sha256:00 (nothing for"), notices.get(0));
    }
  }

  /** A slow but moving transfer outlasts both the deadline and the silence limit, and succeeds. */
  @Test
  void slowButMovingTransfer_continues() throws Exception {
    byte[] chunk = new byte[100];
    int chunks = 15;
    try (FakeServer server = new FakeServer(exchange -> {
      exchange.sendResponseHeaders(200, (long) chunk.length * chunks);
      try (OutputStream out = exchange.getResponseBody()) {
        for (int i = 0; i < chunks; i++) {
          out.write(chunk);
          out.flush();
          try {
            Thread.sleep(200); // 3 s in all: longer than the 1 s deadline and 2 s silence limit
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    })) {
      Request get = Request.get(URI.create("http://" + server.address() + "/blob")).asTransfer();
      try (Response response = http(1, 2, 1.5).execute(get)) {
        assertArrayEquals(new byte[chunk.length * chunks], response.readBody(1 << 20));
      }
    }
  }
}
