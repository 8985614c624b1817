package dev.jbuild.builder.exec;

import dev.jbuild.layerstore.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * {@code ADD <url>}: downloads over HTTP(S) with redirects, verifies {@code --checksum}, and keeps
 * the server's {@code Last-Modified} as the file's mtime, as BuildKit does.
 */
final class Downloads {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NORMAL)
      .connectTimeout(Duration.ofSeconds(30))
      .build();

  private Downloads() {}

  /**
   * A downloaded file.
   *
   * @param file where it is
   * @param name the file name it gets: the last segment of the URL path
   * @param sha256 its content digest
   */
  record Download(Path file, String name, Digest sha256) {}

  /**
   * Downloads {@code url} into {@code dir}.
   *
   * @param checksum the expected digest ({@code sha256:…}), or null
   * @throws IOException on HTTP errors ("… returned 404 Not Found") or a checksum mismatch
   */
  static Download fetch(String url, Path dir, String checksum)
      throws IOException, InterruptedException {
    URI uri = URI.create(url);
    HttpResponse<InputStream> response;
    try {
      response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET()
          .build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new IOException("failed to fetch " + url + ": " + e.getMessage(), e);
    }
    if (response.statusCode() != 200) {
      response.body().close();
      throw new IOException("failed to fetch " + url + ": server returned HTTP "
          + response.statusCode());
    }
    String path = response.uri().getPath();
    String name = path == null || path.endsWith("/") || path.isEmpty() ? "__unnamed__"
        : path.substring(path.lastIndexOf('/') + 1);
    Files.createDirectories(dir);
    Path file = Files.createTempFile(dir, "download-", "");
    MessageDigest md = Digest.newSha256();
    try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    }
    Digest digest = Digest.ofSha256(md.digest());
    if (checksum != null && !checksum.equals(digest.toString())) {
      throw new IOException("digest mismatch for " + url + ": expected " + checksum + ", got "
          + digest);
    }
    Files.setAttribute(file, "unix:mode", 0600);
    Optional<String> modified = response.headers().firstValue("Last-Modified");
    if (modified.isPresent()) {
      try {
        ZonedDateTime t = ZonedDateTime.parse(modified.get(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Files.setLastModifiedTime(file, FileTime.from(t.toInstant()));
      } catch (RuntimeException e) {
        // An unparsable date keeps the download time.
      }
    }
    return new Download(file, name, digest);
  }

}
