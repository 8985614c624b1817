package dev.jbuild.registry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An HTTP reverse proxy on 127.0.0.1 in front of a real registry that injects faults into chosen
 * requests: dropped connections, {@code 500}, {@code 429} with {@code Retry-After}, truncated and
 * corrupted bodies. Everything else is forwarded unchanged, with the registry's absolute
 * {@code Location} headers rewritten to point at the proxy.
 */
public final class FaultProxy implements AutoCloseable {

  /** What to do to a matching request. */
  public enum Fault {
    /** Read the request, then close the connection without answering. */
    DROP,
    /** Answer {@code 500} with a distribution error body, without forwarding. */
    SERVER_ERROR,
    /** Answer {@code 429} with {@code Retry-After: 1}, without forwarding. */
    TOO_MANY_REQUESTS,
    /** Forward, then send the headers and half of the body and close the connection. */
    TRUNCATE,
    /** Forward, then send the body with one byte flipped (same length). */
    CORRUPT,
    /**
     * Answer {@code 400} {@code MANIFEST_INVALID} without forwarding: what older Harbor and Quay
     * answer to a manifest media type they do not know (an OCI index).
     */
    MANIFEST_INVALID,
    /** Answer {@code 415 Unsupported Media Type} without forwarding (ECR-style refusal). */
    UNSUPPORTED_MEDIA_TYPE
  }

  private record Rule(String method, Pattern path, String contentType, Fault fault,
      AtomicInteger remaining) {}

  private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "expect",
      "host", "upgrade", "transfer-encoding", "keep-alive", "date");

  private final HttpServer server;
  private final String upstream;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Map<Fault, AtomicInteger> injected = new java.util.concurrent.ConcurrentHashMap<>();

  /** Starts a proxy for {@code upstream} ({@code host:port}, plain HTTP). */
  public FaultProxy(String upstream) throws IOException {
    this.upstream = upstream;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fault-proxy");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  /** {@code 127.0.0.1:<port>}, the registry address clients should use. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Applies {@code fault} to the next {@code times} requests with {@code method} whose path
   * matches {@code pathRegex} (searched, not anchored).
   */
  public FaultProxy inject(String method, String pathRegex, Fault fault, int times) {
    return inject(method, pathRegex, null, fault, times);
  }

  /**
   * Like {@link #inject(String, String, Fault, int)}, only for requests whose {@code
   * Content-Type} is {@code contentType} (null: any), for example to refuse OCI index PUTs only.
   */
  public FaultProxy inject(String method, String pathRegex, String contentType, Fault fault,
      int times) {
    rules.add(new Rule(method, Pattern.compile(pathRegex), contentType, fault,
        new AtomicInteger(times)));
    return this;
  }

  /** How many times {@code fault} was applied. */
  public int injected(Fault fault) {
    return injected.getOrDefault(fault, new AtomicInteger()).get();
  }

  /** True once every injected fault has been used up. */
  public boolean allFaultsUsed() {
    return rules.stream().allMatch(r -> r.remaining().get() <= 0);
  }

  /** {@code METHOD path -> outcome} for every request seen. */
  public List<String> log() {
    return log;
  }

  private Fault faultFor(String method, String path, String contentType) {
    for (Rule rule : rules) {
      if (rule.method().equals(method) && rule.path().matcher(path).find()
          && (rule.contentType() == null || rule.contentType().equals(contentType))
          && rule.remaining().getAndDecrement() > 0) {
        injected.computeIfAbsent(rule.fault(), f -> new AtomicInteger()).incrementAndGet();
        return rule.fault();
      }
    }
    return null;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    URI uri = exchange.getRequestURI();
    byte[] body = exchange.getRequestBody().readAllBytes();
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    Fault fault = faultFor(method, uri.getRawPath(), contentType);
    log.add(method + " " + uri.getRawPath() + (contentType == null ? "" : " [" + contentType
        + "]") + " -> " + (fault == null ? "forward" : fault));
    if (fault == Fault.DROP) {
      exchange.close(); // no headers sent: the server closes the connection
      return;
    }
    if (fault == Fault.SERVER_ERROR || fault == Fault.TOO_MANY_REQUESTS) {
      boolean throttle = fault == Fault.TOO_MANY_REQUESTS;
      byte[] error = ("{\"errors\":[{\"code\":\"" + (throttle ? "TOOMANYREQUESTS" : "UNKNOWN")
          + "\",\"message\":\"injected " + fault + "\"}]}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      if (throttle) {
        exchange.getResponseHeaders().add("Retry-After", "1");
      }
      send(exchange, throttle ? 429 : 500, error);
      return;
    }
    if (fault == Fault.MANIFEST_INVALID || fault == Fault.UNSUPPORTED_MEDIA_TYPE) {
      boolean invalid = fault == Fault.MANIFEST_INVALID;
      // Worded as distribution words MANIFEST_INVALID (registry/api/errcode).
      byte[] error = ("{\"errors\":[{\"code\":\"" + (invalid ? "MANIFEST_INVALID"
          : "UNSUPPORTED") + "\",\"message\":\"manifest invalid\",\"detail\":\"injected: "
          + contentType + " is not supported\"}]}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      send(exchange, invalid ? 400 : 415, error);
      return;
    }
    HttpRequest.Builder forward = HttpRequest.newBuilder(
        URI.create("http://" + upstream + uri.getRawPath()
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())))
        .method(method, body.length == 0 && (method.equals("GET") || method.equals("HEAD"))
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> forward.header(name, v));
      }
    });
    HttpResponse<byte[]> response;
    try {
      response = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
      return;
    }
    response.headers().map().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        for (String v : values) {
          exchange.getResponseHeaders().add(name,
              name.equalsIgnoreCase("location") ? v.replace(upstream, address()) : v);
        }
      }
    });
    byte[] answer = response.body();
    if (method.equals("HEAD")) {
      response.headers().firstValue("content-length")
          .ifPresent(v -> exchange.getResponseHeaders().set("Content-Length", v));
    }
    if (fault == Fault.CORRUPT && answer.length > 0) {
      answer = answer.clone();
      answer[answer.length / 2] ^= 0x55;
    }
    if (fault == Fault.TRUNCATE && answer.length > 1) {
      exchange.sendResponseHeaders(response.statusCode(), answer.length);
      OutputStream out = exchange.getResponseBody();
      out.write(answer, 0, answer.length / 2);
      out.flush();
      // An exception from the handler makes the server close the connection mid-body.
      throw new IOException("injected truncation");
    }
    send(exchange, response.statusCode(), answer);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    boolean noBody = exchange.getRequestMethod().equals("HEAD") || status == 204 || status == 304
        || body.length == 0;
    exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
    if (!noBody) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
