package dev.jbuild.registry.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.registry.testing.FakeServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class HttpExecutorTest {
  private final HttpExecutor http =
      HttpExecutor.create(Duration.ofSeconds(5), Duration.ofSeconds(5), "jbuild-test");

  @Test
  void redirectToAnotherPort_dropsAuthorization_sameOriginKeepsIt() throws Exception {
    try (FakeServer storage = new FakeServer(
            e -> FakeServer.respond(e, 200, Map.of(), "blob".getBytes()));
        FakeServer registry = new FakeServer(e -> {
          if (e.getRequestURI().getPath().equals("/first")) {
            FakeServer.respond(e, 307, Map.of("Location", "/second"), new byte[0]);
          } else {
            FakeServer.respond(e, 302,
                Map.of("Location", "http://" + storageAddress[0] + "/data?sig=abc"), new byte[0]);
          }
        })) {
      storageAddress[0] = storage.address();
      Request request = Request.get(URI.create("http://" + registry.address() + "/first"))
          .withHeader("Authorization", "Bearer secret");
      try (Response response = http.execute(request)) {
        assertEquals(200, response.statusCode());
        assertArrayEquals("blob".getBytes(), response.readBody(100));
        assertEquals(URI.create("http://" + storage.address() + "/data?sig=abc"), response.url());
      }
      assertEquals("Bearer secret", registry.requests().get(0).authorization());
      assertEquals("Bearer secret", registry.requests().get(1).authorization());
      assertEquals("/data?sig=abc", storage.requests().get(0).pathAndQuery());
      assertNull(storage.requests().get(0).authorization());
    }
  }

  private final String[] storageAddress = new String[1];

  @Test
  void redirectLoop_isAnIoException() throws Exception {
    try (FakeServer loop = new FakeServer(
        e -> FakeServer.respond(e, 302, Map.of("Location", "/again"), new byte[0]))) {
      IOException e = assertThrows(IOException.class,
          () -> http.execute(Request.get(URI.create("http://" + loop.address() + "/start"))));
      assertTrue(e.getMessage().startsWith("too many redirects"), e.getMessage());
    }
  }

  @Test
  void redirect_notFollowedForPut() throws Exception {
    try (FakeServer server = new FakeServer(
        e -> FakeServer.respond(e, 307, Map.of("Location", "/elsewhere"), new byte[0]))) {
      try (Response response = http.execute(Request.put(
          URI.create("http://" + server.address() + "/x"), RequestBody.of(new byte[3], null)))) {
        assertEquals(307, response.statusCode());
      }
      assertEquals(1, server.requests().size());
    }
  }

  @Test
  void gzipEncodedBody_isReturnedRaw_andNoGzipIsRequested() throws Exception {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write("hello".getBytes());
    }
    byte[] raw = gz.toByteArray();
    try (FakeServer server = new FakeServer(
        e -> FakeServer.respond(e, 200, Map.of("Content-Encoding", "gzip"), raw))) {
      try (Response response =
          http.execute(Request.get(URI.create("http://" + server.address() + "/blob")))) {
        assertArrayEquals(raw, response.readBody(1000));
        assertEquals(raw.length, response.contentLength().getAsLong());
      }
      assertNull(server.requests().get(0).acceptEncoding());
    }
  }

  @Test
  void errorStatus_isReturnedWithItsBody() throws Exception {
    try (FakeServer server = new FakeServer(e -> FakeServer.respond(e, 404,
        Map.of("Content-Type", "application/json"), "{\"errors\":[]}".getBytes()))) {
      try (Response response =
          http.execute(Request.get(URI.create("http://" + server.address() + "/missing")))) {
        assertEquals(404, response.statusCode());
        assertEquals("application/json", response.header("CONTENT-TYPE").orElseThrow());
        assertArrayEquals("{\"errors\":[]}".getBytes(), response.readBody(100));
      }
    }
  }

  @Test
  void sameOrigin_comparesSchemeHostAndEffectivePort() {
    assertTrue(HttpExecutor.sameOrigin(URI.create("https://a/x"), URI.create("https://A:443/y")));
    assertTrue(!HttpExecutor.sameOrigin(URI.create("https://a/x"), URI.create("http://a/x")));
    assertTrue(!HttpExecutor.sameOrigin(URI.create("http://a:1/x"), URI.create("http://a:2/x")));
    assertTrue(!HttpExecutor.sameOrigin(URI.create("http://a/x"), URI.create("http://b/x")));
  }
}
