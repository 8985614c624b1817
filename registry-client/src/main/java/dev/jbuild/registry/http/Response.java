package dev.jbuild.registry.http;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An HTTP response whose body has not been read yet. Always close it: that releases the
 * connection.
 */
public final class Response implements Closeable {
  private final int statusCode;
  private final URI url;
  private final Map<String, List<String>> headers;
  private final BodySource body;

  /** Opens the body stream lazily and releases the connection on close. */
  interface BodySource extends Closeable {
    InputStream open() throws IOException;
  }

  Response(int statusCode, URI url, Map<String, List<String>> headers, BodySource body) {
    this.statusCode = statusCode;
    this.url = url;
    this.headers = Map.copyOf(headers);
    this.body = body;
  }

  /** The HTTP status code. */
  public int statusCode() {
    return statusCode;
  }

  /** True for 2xx. */
  public boolean isSuccess() {
    return statusCode >= 200 && statusCode < 300;
  }

  /** The URL that produced this response, after redirects. */
  public URI url() {
    return url;
  }

  /** The first value of header {@code name}. */
  public Optional<String> header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** All values of header {@code name}, empty if absent. */
  public List<String> headers(String name) {
    return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  /** The {@code Content-Length} header, if present and valid. */
  public OptionalLong contentLength() {
    Optional<String> value = header("content-length");
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(value.get().trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The raw body, exactly as sent (no content decoding). May be called once; the stream is closed
   * with this response.
   */
  public InputStream body() throws IOException {
    return body.open();
  }

  /**
   * Reads the whole body into memory.
   *
   * @param maxBytes the largest body accepted
   * @throws BodyTooLargeException if the body, or its announced {@code Content-Length}, is larger
   *     than {@code maxBytes} (then at most {@code maxBytes} + 8 KiB are read)
   * @throws IOException if reading fails
   */
  public byte[] readBody(int maxBytes) throws IOException {
    OptionalLong announced = contentLength();
    if (announced.isPresent() && announced.getAsLong() > maxBytes) {
      throw new BodyTooLargeException("response body from " + url + " is " + announced.getAsLong()
          + " bytes, larger than the limit of " + maxBytes + " bytes", maxBytes);
    }
    try (InputStream in = body()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) != -1) {
        if (out.size() + n > maxBytes) {
          throw new BodyTooLargeException(
              "response body from " + url + " is larger than the limit of " + maxBytes + " bytes",
              maxBytes);
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    }
  }

  @Override
  public void close() throws IOException {
    body.close();
  }

  @Override
  public String toString() {
    return statusCode + " from " + url;
  }
}
