package dev.jbuild.registry.http;

import com.google.api.client.http.AbstractHttpContent;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.HttpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpRetryException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Sends {@link Request}s over google-http-client; the only class in jbuild that touches it.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Non-2xx statuses are returned, never thrown; {@link IOException} means the exchange itself
 *       failed (connection refused, reset, timeout, TLS).
 *   <li>Bodies are returned raw: no {@code Accept-Encoding} is sent and nothing is decompressed, so
 *       the bytes hash to their digest.
 *   <li>Redirects (301, 302, 303, 307, 308) are followed only for requests that ask for it, at most
 *       {@value #MAX_REDIRECTS} times; {@code Authorization} is dropped as soon as a redirect leaves
 *       the original scheme, host and port (distribution-spec: never forward credentials to another
 *       host, for example the storage backend a blob GET redirects to).
 *   <li>No retries: retry policy belongs to the caller. A redirect loop is a
 *       {@link TooManyRedirectsException}.
 *   <li>Every exchange is timed by {@link Timeouts}: small requests have an overall deadline,
 *       {@linkplain Request#asTransfer() blob transfers} a limit on silence; a wait without
 *       progress is logged (INFO) after {@link Timeouts#notice()}.
 *   <li>Any method may be sent, {@code PATCH} included (chunked uploads).
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class HttpExecutor {
  static final int MAX_REDIRECTS = 10;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpExecutor.class);

  private final HttpTransport transport;
  private final HttpRequestFactory requestFactory;
  private final Timeouts timeouts;
  private final Consumer<String> notices;
  private final int connectTimeoutMillis;
  private final String userAgent;

  private HttpExecutor(HttpTransport transport, Timeouts timeouts, String userAgent,
      Consumer<String> notices) {
    this.transport = transport;
    this.requestFactory = transport.createRequestFactory();
    this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
    this.notices = notices;
    this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeouts.connect().toMillis());
    this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
  }

  /**
   * An executor over the JDK's {@link java.net.http.HttpClient}, which honours the JVM's proxy
   * selector and trust store.
   */
  public static HttpExecutor create(Timeouts timeouts, String userAgent) {
    return create(timeouts, userAgent, LOG::info);
  }

  /** Like {@link #create(Timeouts, String)}, sending wait notices to {@code notices} (tests). */
  static HttpExecutor create(Timeouts timeouts, String userAgent, Consumer<String> notices) {
    return new HttpExecutor(new JdkHttpTransport(timeouts.connect(), null), timeouts, userAgent,
        notices);
  }

  /** Same as {@link #create(Timeouts, String)} with {@link Timeouts#of}. */
  public static HttpExecutor create(Duration connectTimeout, Duration readTimeout, String userAgent) {
    return create(Timeouts.of(connectTimeout, readTimeout), userAgent);
  }

  /**
   * Like {@link #create} but accepting any TLS certificate, for registries the user declared
   * insecure (Docker's {@code --insecure-registry}: HTTPS without verification, else plain HTTP).
   */
  public static HttpExecutor createTrustingAllCertificates(Timeouts timeouts, String userAgent) {
    return new HttpExecutor(new JdkHttpTransport(timeouts.connect(), trustAll()), timeouts,
        userAgent, LOG::info);
  }

  /** Same as {@link #createTrustingAllCertificates(Timeouts, String)} with {@link Timeouts#of}. */
  public static HttpExecutor createTrustingAllCertificates(
      Duration connectTimeout, Duration readTimeout, String userAgent) {
    return createTrustingAllCertificates(Timeouts.of(connectTimeout, readTimeout), userAgent);
  }

  private static SSLContext trustAll() {
    TrustManager accepting = new javax.net.ssl.X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType,
          java.net.Socket socket) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType,
          java.net.Socket socket) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType,
          javax.net.ssl.SSLEngine engine) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType,
          javax.net.ssl.SSLEngine engine) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {accepting}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM has no TLS implementation", e);
    }
  }

  /**
   * Sends {@code request}, following redirects if it asks for that.
   *
   * @return the final response; the caller must close it
   * @throws TooManyRedirectsException after more than {@value #MAX_REDIRECTS} redirects
   * @throws java.net.SocketTimeoutException if the exchange took longer than {@link Timeouts}
   *     allow
   * @throws IOException if the exchange fails at the transport level
   */
  public Response execute(Request request) throws IOException {
    Request current = request;
    for (int redirects = 0; ; redirects++) {
      Response response = executeOnce(current);
      int status = response.statusCode();
      if (!current.followRedirects() || !isRedirect(status)
          || response.header("location").isEmpty()) {
        return response;
      }
      response.close();
      if (redirects == MAX_REDIRECTS) {
        throw new TooManyRedirectsException(
            "too many redirects (more than " + MAX_REDIRECTS + ") starting at " + request.url());
      }
      current = redirected(current, response.header("location").get());
    }
  }

  /** The request to send after a redirect to {@code location}. */
  static Request redirected(Request request, String location) {
    URI target = request.url().resolve(location.trim());
    Request next = request.withUrl(target);
    if (!sameOrigin(request.url(), target)) {
      next = next.withoutHeader("authorization");
    }
    return next;
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && effectivePort(a) == effectivePort(b);
  }

  private static int effectivePort(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private Response executeOnce(Request request) throws IOException {
    HttpRequest httpRequest =
        requestFactory.buildRequest(
            request.method(),
            new GenericUrl(request.url(), true),
            request.body() == null ? null : new BodyContent(request.body()));
    httpRequest
        .setFollowRedirects(false)
        .setThrowExceptionOnExecuteError(false)
        .setNumberOfRetries(0)
        .setResponseReturnRawInputStream(true)
        .setSuppressUserAgentSuffix(true)
        .setConnectTimeout(connectTimeoutMillis)
        .setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeouts.stall().toMillis()));
    HttpHeaders headers = httpRequest.getHeaders();
    // google-http-client asks for gzip by default; blobs must arrive byte-exact.
    headers.setAcceptEncoding(null);
    headers.setUserAgent(userAgent);
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      headers.set(header.getKey(), List.copyOf(header.getValue()));
    }
    ExchangeWatch watch = request.isTransfer()
        ? ExchangeWatch.transfer(request.method(), request.url(), timeouts, notices)
        : ExchangeWatch.deadline(request.method(), request.url(), timeouts, notices);
    HttpResponse httpResponse;
    try {
      httpResponse = JdkHttpTransport.withWatch(watch, httpRequest::execute);
    } catch (HttpRetryException e) {
      // HttpURLConnection in streaming mode cannot hand back a 401/3xx to a request whose body it
      // already sent; it reports the status only. Surface it as a header-less response so the
      // caller can authenticate (it fetches the challenge from /v2/) and resend.
      return new Response(e.responseCode(), request.url(), Map.of(), new EmptyBody());
    }
    return new Response(
        httpResponse.getStatusCode(), request.url(), headersOf(httpResponse),
        new GoogleBody(httpResponse));
  }

  private static Map<String, List<String>> headersOf(HttpResponse response) {
    HttpHeaders headers = response.getHeaders();
    Map<String, List<String>> result = new HashMap<>();
    for (String name : headers.keySet()) {
      List<String> values = headers.getHeaderStringValues(name);
      if (!values.isEmpty()) {
        result.put(name.toLowerCase(Locale.ROOT), List.copyOf(values));
      }
    }
    return result;
  }

  /** Releases pooled connections; the executor must not be used afterwards. */
  public void shutdown() throws IOException {
    transport.shutdown();
  }

  /** Adapts {@link RequestBody} to google-http-client. */
  private static final class BodyContent extends AbstractHttpContent {
    private final RequestBody body;

    BodyContent(RequestBody body) {
      super(body.contentType());
      this.body = body;
    }

    @Override
    public long getLength() {
      return body.length();
    }

    @Override
    public String getType() {
      return body.contentType();
    }

    @Override
    public boolean retrySupported() {
      return false;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      body.writeTo(out);
      out.flush();
    }
  }

  private static final class GoogleBody implements Response.BodySource {
    private final HttpResponse response;
    private InputStream stream;

    GoogleBody(HttpResponse response) {
      this.response = response;
    }

    @Override
    public synchronized InputStream open() throws IOException {
      if (stream == null) {
        InputStream content = response.getContent();
        stream = content == null ? InputStream.nullInputStream() : content;
      }
      return stream;
    }

    @Override
    public synchronized void close() throws IOException {
      // Closing the content stream (rather than disconnecting) lets HttpURLConnection keep the
      // connection alive for the next request to the same registry.
      if (stream != null) {
        stream.close();
      } else {
        response.ignore();
      }
    }
  }

  private static final class EmptyBody implements Response.BodySource {
    @Override
    public InputStream open() {
      return InputStream.nullInputStream();
    }

    @Override
    public void close() {}
  }
}
