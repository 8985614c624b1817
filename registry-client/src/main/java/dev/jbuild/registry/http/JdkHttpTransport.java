package dev.jbuild.registry.http;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A google-http-client transport over the JDK's {@link HttpClient}. It exists because the
 * default {@code NetHttpTransport} ({@code HttpURLConnection}) cannot send {@code PATCH}, which
 * chunked blob uploads need; the JDK client can, streams bodies in both directions, pools
 * connections, and adds no dependency.
 *
 * <p>Timeouts: the connect timeout bounds the TCP/TLS setup; the rest follows the exchange's
 * {@link ExchangeWatch} (see {@link Timeouts}), which {@link HttpExecutor} hands over through
 * {@link #withWatch}, as google-http-client's request carries nothing but two int timeouts. Without
 * one, the read timeout is the longest silence allowed, both while waiting for response headers
 * (a request body that is still being consumed counts as activity, so a large upload is not cut
 * off) and between chunks of a response body.
 *
 * <p>HTTP/1.1 only: parallel blob uploads then use parallel connections, as Docker's do, instead of
 * sharing one HTTP/2 connection's flow-control window.
 */
final class JdkHttpTransport extends HttpTransport {
  /** Headers the JDK client sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");
  private static final AtomicInteger POOL = new AtomicInteger();
  /** The watch for the request being built on this thread; see {@link #withWatch}. */
  private static final ThreadLocal<ExchangeWatch> WATCH = new ThreadLocal<>();

  private final ExecutorService bodyWriters;
  private final ExecutorService clientThreads;
  private final Duration connectTimeout;
  private final SSLContext sslContext;
  /** For http:// URLs; built without initializing TLS, which costs 0.3-0.8 s of CPU. */
  private final HttpClient plainClient;
  /** For https:// URLs, built on first use. */
  private HttpClient tlsClient;

  /**
   * @param sslContext the TLS context for https URLs, or null for the JVM's default
   */
  JdkHttpTransport(Duration connectTimeout, SSLContext sslContext) {
    int pool = POOL.incrementAndGet();
    AtomicInteger thread = new AtomicInteger();
    bodyWriters = Executors.newCachedThreadPool(r -> daemon(r,
        "jbuild-http-" + pool + "-body-" + thread.incrementAndGet()));
    clientThreads = Executors.newCachedThreadPool(r -> daemon(r,
        "jbuild-http-" + pool + "-io-" + thread.incrementAndGet()));
    this.connectTimeout = connectTimeout;
    this.sslContext = sslContext;
    this.plainClient = newClient(PlainHttpOnly.context());
  }

  private HttpClient newClient(SSLContext context) {
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        .proxy(ProxySelector.getDefault())
        .executor(clientThreads);
    if (context != null) {
      builder.sslContext(context);
    }
    return builder.build();
  }

  private synchronized HttpClient clientFor(URI url) {
    if (!"https".equalsIgnoreCase(url.getScheme())) {
      return plainClient;
    }
    if (tlsClient == null) {
      tlsClient = newClient(sslContext);
    }
    return tlsClient;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Something google-http-client executes on the calling thread. */
  interface Execution<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code execution} (a google-http-client {@code HttpRequest.execute()}, which builds and
   * executes its low-level request on the calling thread) with {@code watch} timing the exchange.
   */
  static <T> T withWatch(ExchangeWatch watch, Execution<T> execution) throws IOException {
    WATCH.set(watch);
    try {
      return execution.run();
    } finally {
      WATCH.remove();
    }
  }

  @Override
  public boolean supportsMethod(String method) {
    return true;
  }

  @Override
  protected LowLevelHttpRequest buildRequest(String method, String url) {
    return new JdkRequest(method, URI.create(url), WATCH.get());
  }

  @Override
  public void shutdown() {
    bodyWriters.shutdownNow();
    clientThreads.shutdown();
  }

  private final class JdkRequest extends LowLevelHttpRequest {
    private final String method;
    private final URI url;
    private final List<String[]> headers = new ArrayList<>();
    private Duration readTimeout = Duration.ofMinutes(5);
    private ExchangeWatch watch;

    JdkRequest(String method, URI url, ExchangeWatch watch) {
      this.method = method;
      this.url = url;
      this.watch = watch;
    }

    @Override
    public void addHeader(String name, String value) {
      if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
        headers.add(new String[] {name, value});
      }
    }

    @Override
    public void setTimeout(int connectTimeout, int readTimeoutMillis) {
      if (readTimeoutMillis > 0) {
        readTimeout = Duration.ofMillis(readTimeoutMillis);
      }
    }

    @Override
    public LowLevelHttpResponse execute() throws IOException {
      if (watch == null) {
        Timeouts timeouts = Timeouts.of(connectTimeout, readTimeout);
        watch = ExchangeWatch.transfer(method, url, timeouts, message -> {});
      }
      AtomicLong uploaded = new AtomicLong();
      HttpRequest.BodyPublisher publisher = getStreamingContent() == null
          ? HttpRequest.BodyPublishers.noBody()
          : new StreamingBodyPublisher(getStreamingContent(), getContentLength(), bodyWriters,
              uploaded);
      HttpRequest.Builder builder = HttpRequest.newBuilder(url).method(method, publisher);
      for (String[] header : headers) {
        builder.header(header[0], header[1]);
      }
      if (getContentType() != null) {
        builder.setHeader("Content-Type", getContentType());
      }
      TimedBodySubscriber body = new TimedBodySubscriber(watch);
      CompletableFuture<HttpResponse<InputStream>> future =
          clientFor(url).sendAsync(builder.build(), info -> body);
      return new JdkResponse(await(future, uploaded), body);
    }

    /**
     * Waits for the response headers as long as {@link #watch} allows; uploading request body
     * bytes counts as progress.
     */
    private HttpResponse<InputStream> await(
        CompletableFuture<HttpResponse<InputStream>> future, AtomicLong uploaded)
        throws IOException {
      long seen = 0;
      while (true) {
        try {
          HttpResponse<InputStream> response =
              future.get(watch.nextWaitNanos(), TimeUnit.NANOSECONDS);
          watch.answered();
          return response;
        } catch (TimeoutException e) {
          long now = uploaded.get();
          watch.progress(now - seen);
          seen = now;
          try {
            watch.check("answer");
          } catch (SocketTimeoutException timedOut) {
            future.cancel(true);
            throw timedOut;
          }
        } catch (InterruptedException e) {
          future.cancel(true);
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for " + url.getHost());
        } catch (ExecutionException e) {
          throw unwrap(e.getCause());
        }
      }
    }
  }

  /** The JDK wraps transport failures; hand back the most specific {@link IOException}. */
  static IOException unwrap(Throwable cause) {
    Throwable t = cause;
    while (!(t instanceof IOException) && t != null && t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    if (t instanceof IOException) {
      // The JDK often wraps the real reason (ConnectException, SSLHandshakeException) in a plain
      // IOException with the same message; the typed one tells the user what to check.
      IOException io = (IOException) t;
      if (io.getClass() == IOException.class && io.getCause() instanceof IOException) {
        return (IOException) io.getCause();
      }
      return io;
    }
    return new IOException(cause == null ? "unknown failure" : cause.toString(), cause);
  }

  private static final class JdkResponse extends LowLevelHttpResponse {
    private final HttpResponse<InputStream> response;
    private final TimedBodySubscriber body;
    private final List<String[]> headers = new ArrayList<>();

    JdkResponse(HttpResponse<InputStream> response, TimedBodySubscriber body) {
      this.response = response;
      this.body = body;
      for (Map.Entry<String, List<String>> entry : response.headers().map().entrySet()) {
        if (entry.getKey().startsWith(":")) {
          continue; // HTTP/2 pseudo-headers
        }
        for (String value : entry.getValue()) {
          headers.add(new String[] {entry.getKey(), value});
        }
      }
    }

    @Override
    public InputStream getContent() {
      return body;
    }

    @Override
    public String getContentEncoding() {
      return response.headers().firstValue("content-encoding").orElse(null);
    }

    @Override
    public long getContentLength() {
      return response.headers().firstValueAsLong("content-length").orElse(-1);
    }

    @Override
    public String getContentType() {
      return response.headers().firstValue("content-type").orElse(null);
    }

    @Override
    public String getStatusLine() {
      return "HTTP/1.1 " + response.statusCode();
    }

    @Override
    public int getStatusCode() {
      return response.statusCode();
    }

    @Override
    public String getReasonPhrase() {
      return "";
    }

    @Override
    public int getHeaderCount() {
      return headers.size();
    }

    @Override
    public String getHeaderName(int index) {
      return headers.get(index)[0];
    }

    @Override
    public String getHeaderValue(int index) {
      return headers.get(index)[1];
    }

    @Override
    public void disconnect() {
      body.close();
    }
  }
}
