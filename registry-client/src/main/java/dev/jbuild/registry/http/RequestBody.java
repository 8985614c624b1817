package dev.jbuild.registry.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The body of a request. A body may be written more than once (the registry layer re-sends a request
 * after an authentication challenge), so implementations must be able to start over on each call of
 * {@link #writeTo}.
 */
public interface RequestBody {

  /** The {@code Content-Type} to send, or null for none. */
  String contentType();

  /** The exact number of bytes {@link #writeTo} writes; sent as {@code Content-Length}. */
  long length();

  /**
   * Writes the whole body. Does not close {@code out}.
   *
   * @throws IOException if the content cannot be read or written
   */
  void writeTo(OutputStream out) throws IOException;

  /** A body holding {@code bytes}, which are not copied and must not be modified afterwards. */
  static RequestBody of(byte[] bytes, String contentType) {
    Objects.requireNonNull(bytes, "bytes");
    return new RequestBody() {
      @Override
      public String contentType() {
        return contentType;
      }

      @Override
      public long length() {
        return bytes.length;
      }

      @Override
      public void writeTo(OutputStream out) throws IOException {
        out.write(bytes);
      }
    };
  }

  /** An empty body, so that POST and PUT send {@code Content-Length: 0}. */
  static RequestBody empty() {
    return of(new byte[0], null);
  }
}
