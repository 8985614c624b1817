package dev.jbuild.samples.oracle;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serves a case's {@code http/} directory on 127.0.0.1 for ADD from URLs. dockerd's BuildKit
 * fetches from the host network namespace, so both engines reach it. Every file carries the same
 * fixed Last-Modified, which both engines should turn into the file's mtime.
 */
final class FileServer implements AutoCloseable {
  static final String LAST_MODIFIED = "Sat, 01 Jan 2005 00:00:00 GMT";
  private final HttpServer server;

  private FileServer(HttpServer server) {
    this.server = server;
  }

  static FileServer start(Path root) throws IOException {
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", exchange -> serve(root, exchange));
    server.start();
    return new FileServer(server);
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void serve(Path root, HttpExchange exchange) throws IOException {
    try (exchange) {
      Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
      if (!file.startsWith(root) || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] body = Files.readAllBytes(file);
      exchange.getResponseHeaders().set("Last-Modified", LAST_MODIFIED);
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(200, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
