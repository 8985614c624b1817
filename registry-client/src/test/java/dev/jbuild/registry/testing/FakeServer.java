package dev.jbuild.registry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted HTTP server on 127.0.0.1 for protocol cases a real registry cannot produce (token
 * servers, redirects to other hosts, corrupt content). Records every request it gets.
 */
public final class FakeServer implements AutoCloseable {
  private final HttpServer server;
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();

  /** One received request. */
  public record Recorded(String method, String pathAndQuery, String authorization,
      String acceptEncoding, byte[] body) {

    /** The request body as UTF-8 text. */
    public String bodyText() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** The request body of the exchange being handled (already read by the server). */
  public byte[] lastBody() {
    return requests.isEmpty() ? new byte[0] : requests.get(requests.size() - 1).body();
  }

  /** Answers one request. */
  @FunctionalInterface
  public interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  public FakeServer(Handler handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try {
        byte[] body = exchange.getRequestBody().readAllBytes();
        requests.add(new Recorded(exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? ""
                    : "?" + exchange.getRequestURI().getRawQuery()),
            exchange.getRequestHeaders().getFirst("Authorization"),
            exchange.getRequestHeaders().getFirst("Accept-Encoding"), body));
        handler.handle(exchange);
      } finally {
        exchange.close();
      }
    });
    server.start();
  }

  /** {@code 127.0.0.1:<port>}. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Recorded> requests() {
    return requests;
  }

  /** Sends {@code status} with {@code headers} and {@code body}. */
  public static void respond(HttpExchange exchange, int status, Map<String, String> headers,
      byte[] body) throws IOException {
    headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
