package dev.jbuild.registry.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable HTTP request. Header names are case-insensitive and stored in lower case.
 *
 * <p>Redirects are followed only when {@link #followRedirects()} is set; {@link HttpExecutor}
 * then drops the {@code Authorization} header whenever a redirect leaves the original scheme, host
 * and port.
 */
public final class Request {
  private final String method;
  private final URI url;
  private final Map<String, List<String>> headers;
  private final RequestBody body;
  private final boolean followRedirects;
  private final boolean transfer;

  private Request(
      String method, URI url, Map<String, List<String>> headers, RequestBody body,
      boolean followRedirects) {
    this(method, url, headers, body, followRedirects, false);
  }

  private Request(
      String method, URI url, Map<String, List<String>> headers, RequestBody body,
      boolean followRedirects, boolean transfer) {
    this.method = Objects.requireNonNull(method, "method");
    this.url = Objects.requireNonNull(url, "url");
    this.headers = headers;
    this.body = body;
    this.followRedirects = followRedirects;
    this.transfer = transfer;
    if (!url.isAbsolute()) {
      throw new IllegalArgumentException("request URL must be absolute: " + url);
    }
  }

  /** A GET that follows redirects. */
  public static Request get(URI url) {
    return new Request("GET", url, Map.of(), null, true);
  }

  /** A HEAD that follows redirects. */
  public static Request head(URI url) {
    return new Request("HEAD", url, Map.of(), null, true);
  }

  /** A POST with {@code body}; redirects are not followed. */
  public static Request post(URI url, RequestBody body) {
    return new Request("POST", url, Map.of(), Objects.requireNonNull(body, "body"), false);
  }

  /** A PUT with {@code body}; redirects are not followed. */
  public static Request put(URI url, RequestBody body) {
    return new Request("PUT", url, Map.of(), Objects.requireNonNull(body, "body"), false);
  }

  /** A PATCH with {@code body} (a chunk of an upload); redirects are not followed. */
  public static Request patch(URI url, RequestBody body) {
    return new Request("PATCH", url, Map.of(), Objects.requireNonNull(body, "body"), false);
  }

  /** A DELETE; redirects are not followed. */
  public static Request delete(URI url) {
    return new Request("DELETE", url, Map.of(), null, false);
  }

  /** Returns a copy with {@code value} replacing any earlier values of header {@code name}. */
  public Request withHeader(String name, String value) {
    Map<String, List<String>> copy = new LinkedHashMap<>(headers);
    copy.put(name.toLowerCase(Locale.ROOT), List.of(value));
    return new Request(method, url, Collections.unmodifiableMap(copy), body, followRedirects,
        transfer);
  }

  /** Returns a copy without header {@code name}. */
  public Request withoutHeader(String name) {
    Map<String, List<String>> copy = new LinkedHashMap<>(headers);
    copy.remove(name.toLowerCase(Locale.ROOT));
    return new Request(method, url, Collections.unmodifiableMap(copy), body, followRedirects,
        transfer);
  }

  /** Returns a copy sent to {@code newUrl}. */
  public Request withUrl(URI newUrl) {
    return new Request(method, newUrl, headers, body, followRedirects, transfer);
  }

  /** Returns a copy that does or does not follow redirects. */
  public Request withFollowRedirects(boolean follow) {
    return new Request(method, url, headers, body, follow, transfer);
  }

  /**
   * Returns a copy timed as a blob transfer: no overall deadline, only a limit on silence (see
   * {@link Timeouts}). Without it a request must finish within {@link Timeouts#request()}.
   */
  public Request asTransfer() {
    return new Request(method, url, headers, body, followRedirects, true);
  }

  /** True if timed as a blob transfer ({@link #asTransfer()}). */
  public boolean isTransfer() {
    return transfer;
  }

  public String method() {
    return method;
  }

  public URI url() {
    return url;
  }

  /** All headers, keyed by lower-case name. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The values of header {@code name}, empty if absent. */
  public List<String> headers(String name) {
    return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  /** The body, or null for requests without one. */
  public RequestBody body() {
    return body;
  }

  public boolean followRedirects() {
    return followRedirects;
  }

  /** Method and URL only: headers may hold credentials and are never printed. */
  @Override
  public String toString() {
    List<String> names = new ArrayList<>(headers.keySet());
    return method + " " + url + " (headers " + names + ")";
  }
}
