package dev.jbuild.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.registry.auth.AuthenticationException;
import dev.jbuild.registry.auth.Authenticator;
import dev.jbuild.registry.auth.Credential;
import dev.jbuild.registry.auth.DockerConfigCredentials;
import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.BodyTooLargeException;
import dev.jbuild.registry.http.HttpExecutor;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.RequestBody;
import dev.jbuild.registry.http.Response;
import dev.jbuild.registry.http.TooManyRedirectsException;
import dev.jbuild.registry.json.ErrorResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for one repository of one registry, speaking the OCI distribution API
 * (distribution-spec v1.1): blob check/push/mount/pull and manifest pull/push.
 *
 * <p>Transport: plain HTTP for loopback registries ({@code localhost}, {@code 127.0.0.0/8},
 * {@code [::1]}) and those in {@link RegistryOptions#insecureRegistries()}; HTTPS otherwise.
 *
 * <p>Authentication: requests start anonymous; a {@code 401} challenge switches to Basic or to
 * Bearer tokens (see {@link Authenticator}) and the request is resent once. Credentials come from
 * {@link RegistryOptions#credentials()} or else Docker's {@code config.json}.
 *
 * <p>Errors: every failure the registry or the network causes is a {@link RegistryException}
 * whose message reads "Tried to &lt;action&gt; but failed because: &lt;reason&gt;". Plain
 * {@link IOException}s only come from the caller's own streams ({@link BlobSource}, the
 * {@link OutputStream} given to {@link #pullBlob}).
 *
 * <p>Thread-safe: one instance may serve parallel uploads and downloads.
 */
public final class RegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Registries must accept 4 MB manifests; allow more when reading, but not without bound. */
  static final int MAX_MANIFEST_BYTES = 16 << 20;
  private static final int MAX_ERROR_BYTES = 64 << 10;
  private static final String OCTET_STREAM = "application/octet-stream";

  private final String registry;
  private final String repository;
  private final RegistryUrls urls;
  private final HttpExecutor http;
  private final Authenticator authenticator;
  private final RetryPolicy retryPolicy;
  private final long chunkSize;

  private RegistryClient(
      String registry, String repository, RegistryUrls urls, HttpExecutor http,
      Authenticator authenticator, RegistryOptions options) {
    this.registry = registry;
    this.repository = repository;
    this.urls = urls;
    this.http = http;
    this.authenticator = authenticator;
    this.retryPolicy = options.retryPolicy();
    this.chunkSize = options.chunkSize();
  }

  /**
   * Creates a client for {@code registry} ({@code host[:port]}, {@code docker.io} for Docker Hub)
   * and {@code repository} (for example {@code library/busybox}). Does not contact the registry.
   */
  public static RegistryClient create(String registry, String repository, RegistryOptions options) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    URI base = RegistryUrls.baseUri(registry, options.insecureRegistries());
    HttpExecutor http;
    if (options.insecureRegistries().contains(registry) && !RegistryUrls.isLoopback(registry)) {
      // Docker's --insecure-registry: HTTPS without certificate checks if the registry speaks
      // TLS at all, else plain HTTP.
      http = HttpExecutor.createTrustingAllCertificates(options.timeouts(), options.userAgent());
      base = RegistryUrls.probeScheme(http, registry);
    } else {
      http = HttpExecutor.create(options.timeouts(), options.userAgent());
    }
    Optional<Credential> credential = options.credential(registry);
    if (credential.isEmpty() && options.dockerConfigDirectory() != null) {
      credential = fromDockerConfig(options, registry);
    }
    return new RegistryClient(
        registry, repository, new RegistryUrls(base, repository), http,
        new Authenticator(http, base, registry, credential), options);
  }

  /** Creates a client for the registry and repository of {@code reference}. */
  public static RegistryClient create(ImageReference reference, RegistryOptions options) {
    return create(reference.registry(), reference.repository(), options);
  }

  private static Optional<Credential> fromDockerConfig(RegistryOptions options, String registry) {
    try {
      DockerConfigCredentials config = DockerConfigCredentials.load(options.dockerConfigDirectory());
      return config.find(registry);
    } catch (IOException e) {
      // A broken config.json must not stop anonymous pulls; say why credentials are missing.
      LOG.warn("{}; continuing without credentials for {}", e.getMessage(), registry);
      return Optional.empty();
    }
  }

  /** The registry, {@code host[:port]}. */
  public String registry() {
    return registry;
  }

  /** The repository, for example {@code library/busybox}. */
  public String repository() {
    return repository;
  }

  /**
   * Checks that the registry answers and accepts this client's credentials, as {@code docker
   * login} does: {@code GET /v2/}, authenticating when challenged (a token request without scope
   * for Bearer registries).
   *
   * @throws RegistryUnauthorizedException if the registry rejects the credentials (or wants some
   *     and none are configured)
   * @throws RegistryException if the registry cannot be reached or fails
   */
  public void checkLogin() throws RegistryException {
    String action = "log in to " + registry;
    retrying(() -> {
      try (Response response = send(action, Scope.login(), Request.get(urls.ping()))) {
        if (response.statusCode() != 200) {
          throw failure(action, response, NotFound.OTHER);
        }
        return null;
      } catch (IOException e) {
        throw transportFailure(action, e);
      }
    });
  }

  /**
   * Checks whether the repository has blob {@code digest} ({@code HEAD /v2/<name>/blobs/<d>}).
   *
   * @return its descriptor (media type {@code application/octet-stream} unless the registry says
   *     otherwise, size from {@code Content-Length}), or empty if the blob is absent
   * @throws RegistryException if the registry fails or refuses
   */
  public Optional<Descriptor> checkBlob(Digest digest) throws RegistryException {
    String action = "check blob " + digest + " in " + target();
    return retrying(() -> {
      try (Response response =
          send(action, Scope.pull(repository), Request.head(urls.blob(digest)))) {
        if (response.statusCode() == 404) {
          return Optional.empty();
        }
        if (response.statusCode() != 200) {
          throw failure(action, response, NotFound.BLOB);
        }
        checkDigestHeader(action, response, digest);
        OptionalLong length = response.contentLength();
        if (length.isEmpty()) {
          throw new RegistryException(
              "Tried to " + action + " but failed because: the registry sent no Content-Length");
        }
        String mediaType = response.header("content-type").map(RegistryClient::stripParameters)
            .orElse(OCTET_STREAM);
        return Optional.of(Descriptor.of(mediaType, digest, length.getAsLong()));
      } catch (IOException e) {
        throw transportFailure(action, e);
      }
    });
  }

  /** Same as {@link #pushBlob(Digest, long, BlobSource, LongConsumer)} without progress. */
  public void pushBlob(Digest digest, long size, BlobSource source)
      throws IOException, RegistryException {
    pushBlob(digest, size, source, bytes -> {});
  }

  /**
   * Uploads a blob: {@code POST /v2/<name>/blobs/uploads/}, then either one {@code PUT} with the
   * whole content (monolithic, the default) or, with {@link RegistryOptions#chunkSize()}, a
   * {@code PATCH} per chunk followed by a closing {@code PUT}; each request goes to the
   * {@code Location} the previous answer gave, and the {@code PUT} carries {@code digest=}. Does
   * not check whether the blob exists first (see {@link #checkBlob}).
   *
   * <p>A transient failure restarts the upload in a new session (after checking whether the blob
   * arrived after all), as distribution 2.8 cannot resume one.
   *
   * @param digest the blob's digest; the registry verifies it
   * @param size the exact number of bytes {@code source} yields
   * @param source the content; opened once per request that carries bytes
   * @param progress receives the number of bytes sent so far in the current attempt
   * @throws IOException if {@code source} fails or yields a different number of bytes
   * @throws RegistryException if the registry fails or refuses (for example
   *     {@code DIGEST_INVALID} when the content does not match {@code digest})
   */
  public void pushBlob(Digest digest, long size, BlobSource source, LongConsumer progress)
      throws IOException, RegistryException {
    String action = "push blob " + digest + " to " + target();
    int[] attempt = {0};
    withRetries(() -> {
      if (attempt[0]++ > 0 && checkBlob(digest).isPresent()) {
        return null; // the failed attempt completed on the registry's side
      }
      uploadOnce(action, digest, size, source, progress);
      return null;
    });
  }

  private void uploadOnce(
      String action, Digest digest, long size, BlobSource source, LongConsumer progress)
      throws IOException, RegistryException {
    Scope scope = Scope.push(repository);
    URI location;
    long minChunk = 0;
    try (Response started =
        send(action, scope, Request.post(urls.uploads(), RequestBody.empty()))) {
      if (started.statusCode() != 202) {
        throw failure(action, started, NotFound.OTHER);
      }
      location = uploadLocation(action, started);
      minChunk = started.header("oci-chunk-min-length").map(RegistryClient::parseLong).orElse(0L);
    } catch (IOException e) {
      throw transportFailure(action, e);
    }
    boolean done = false;
    try {
      long chunk = chunkSize == 0 ? 0 : Math.max(chunkSize, minChunk);
      RequestBody last;
      if (chunk == 0 || size <= chunk) {
        last = new SourceBody(source, 0, size, size, digest, progress);
      } else {
        for (long offset = 0; offset < size; offset += chunk) {
          long length = Math.min(chunk, size - offset);
          location = patchChunk(action, scope, location,
              new SourceBody(source, offset, length, size, digest, progress));
        }
        last = RequestBody.empty();
      }
      Request put = Request.put(RegistryUrls.withDigest(location, digest), last).asTransfer();
      try (Response finished = send(action, scope, put)) {
        if (finished.statusCode() != 201 && finished.statusCode() != 204) {
          throw failure(action, finished, NotFound.OTHER);
        }
        checkDigestHeader(action, finished, digest);
        done = true;
      }
    } catch (IOException e) {
      IOException local = localCause(e);
      if (local != null) {
        throw local;
      }
      throw transportFailure(action, e);
    } finally {
      if (!done) {
        cancelUpload(location);
      }
    }
  }

  /** Sends one chunk; returns the location for the next request. */
  private URI patchChunk(String action, Scope scope, URI location, SourceBody chunk)
      throws IOException, RegistryException {
    long end = chunk.offset + chunk.length - 1;
    Request patch = Request.patch(location, chunk).asTransfer()
        .withHeader("Content-Range", chunk.offset + "-" + end);
    try (Response response = send(action, scope, patch)) {
      if (response.statusCode() != 202) {
        throw failure(action, response, NotFound.OTHER);
      }
      Optional<String> range = response.header("range");
      if (range.isPresent() && !range.get().trim().endsWith("-" + end)) {
        // The registry holds a different amount than was sent: restart rather than corrupt.
        throw new RegistryException("Tried to " + action + " but failed because: after a chunk"
            + " ending at byte " + end + " the registry reports range " + range.get())
            .markTransient(null);
      }
      return uploadLocation(action, response);
    }
  }

  /**
   * Mounts a blob from another repository of the same registry
   * ({@code POST /v2/<name>/blobs/uploads/?mount=<d>&from=<repo>}).
   *
   * @return true if the blob is now in this repository; false if the registry declined (it then
   *     opened an upload session, which is cancelled) and the blob must be pushed
   * @throws RegistryException if the registry fails or refuses
   */
  public boolean mountBlob(Digest digest, String fromRepository) throws RegistryException {
    String action = "mount blob " + digest + " from " + fromRepository + " into " + target();
    Request post = Request.post(urls.mount(digest, fromRepository), RequestBody.empty());
    return retrying(() -> {
      try (Response response = send(action, Scope.mount(repository, fromRepository), post)) {
        if (response.statusCode() == 201) {
          return true;
        }
        if (response.statusCode() == 202) {
          Optional<String> location = response.header("location");
          if (location.isPresent()) {
            cancelUpload(RegistryUrls.resolveLocation(urls.uploads(), location.get()));
          }
          return false;
        }
        throw failure(action, response, NotFound.OTHER);
      } catch (IOException e) {
        throw transportFailure(action, e);
      }
    });
  }

  /**
   * Pulls a manifest or index by tag or digest, accepting all OCI and Docker schema 2 types
   * ({@link MediaTypes#MANIFEST_ACCEPT}).
   *
   * @param tagOrDigest a tag, or a digest {@code algorithm:hex}
   * @return the exact bytes, their media type and their digest; the digest has been checked against
   *     {@code Docker-Content-Digest} and, when pulling by digest, against {@code tagOrDigest}
   * @throws ManifestUnknownException if there is no such manifest
   * @throws ContentVerificationException if the bytes do not match a digest or media type
   * @throws RegistryException for other failures
   */
  public ManifestResponse pullManifest(String tagOrDigest) throws RegistryException {
    String action = "pull manifest " + display(tagOrDigest);
    Digest requested = parseDigestReference(tagOrDigest);
    Request get = Request.get(urls.manifest(tagOrDigest)).withHeader("Accept",
        MediaTypes.MANIFEST_ACCEPT);
    return retrying(() -> {
      byte[] bytes;
      Optional<String> contentType;
      Optional<String> digestHeader;
      try (Response response = send(action, Scope.pull(repository), get)) {
        if (response.statusCode() != 200) {
          throw failure(action, response, NotFound.MANIFEST);
        }
        bytes = response.readBody(MAX_MANIFEST_BYTES);
        OptionalLong length = response.contentLength();
        if (length.isPresent() && length.getAsLong() != bytes.length) {
          throw new RegistryException("Tried to " + action + " but failed because: the registry"
              + " sent " + bytes.length + " of " + length.getAsLong() + " bytes")
              .markTransient(null);
        }
        contentType = response.header("content-type").map(RegistryClient::stripParameters)
            .filter(t -> !t.isEmpty());
        digestHeader = response.header("docker-content-digest");
      } catch (IOException e) {
        throw transportFailure(action, e);
      }
      return verifiedManifest(action, requested, bytes, contentType, digestHeader);
    });
  }

  private static ManifestResponse verifiedManifest(String action, Digest requested, byte[] bytes,
      Optional<String> contentType, Optional<String> digestHeader) throws RegistryException {
    String mediaType = manifestMediaType(action, bytes, contentType);
    String algorithm = requested != null ? requested.algorithm() : "sha256";
    Digest computed = digestOf(bytes, algorithm);
    if (requested != null && !requested.equals(computed)) {
      throw new ContentVerificationException("Tried to " + action + " but failed because: the"
          + " registry sent content with digest " + computed);
    }
    if (digestHeader.isPresent()) {
      Digest claimed = parseDigestHeader(action, digestHeader.get());
      Digest actual = claimed.algorithm().equals(algorithm) ? computed
          : digestOf(bytes, claimed.algorithm());
      if (!claimed.equals(actual)) {
        throw new ContentVerificationException("Tried to " + action + " but failed because: the"
            + " registry says its digest is " + claimed + " but the bytes hash to " + actual);
      }
    }
    return new ManifestResponse(bytes, mediaType, computed);
  }

  /**
   * Pushes manifest bytes exactly as given ({@code PUT /v2/<name>/manifests/<ref>},
   * {@code Content-Type: mediaType}). The blobs it references must already be in the repository.
   *
   * @param tagOrDigest the tag to set, or the manifest's own digest
   * @param bytes the serialized manifest, sent byte for byte
   * @param mediaType the manifest's media type; must equal its {@code mediaType} field
   * @return the sha256 digest of {@code bytes}
   * @throws RegistryException if the registry refuses (for example
   *     {@code MANIFEST_BLOB_UNKNOWN}) or reports a different digest
   */
  public Digest pushManifest(String tagOrDigest, byte[] bytes, String mediaType)
      throws RegistryException {
    String action = "push manifest " + display(tagOrDigest);
    Digest requested = parseDigestReference(tagOrDigest);
    Digest computed = digestOf(bytes, requested != null ? requested.algorithm() : "sha256");
    if (requested != null && !requested.equals(computed)) {
      throw new IllegalArgumentException(
          "manifest bytes hash to " + computed + ", not to the digest " + requested
              + " they are pushed as");
    }
    Request put = Request.put(urls.manifest(tagOrDigest), RequestBody.of(bytes, mediaType));
    // A manifest PUT is idempotent: resending the same bytes gives the same result.
    return retrying(() -> {
      try (Response response = send(action, Scope.push(repository), put)) {
        if (!response.isSuccess()) {
          throw failure(action, response, NotFound.OTHER);
        }
        checkDigestHeader(action, response, computed);
        return computed;
      } catch (IOException e) {
        throw transportFailure(action, e);
      }
    });
  }

  /** Same as {@link #pullBlob(Descriptor, OutputStream, LongConsumer)} without progress. */
  public void pullBlob(Descriptor descriptor, OutputStream out)
      throws IOException, RegistryException {
    pullBlob(descriptor, out, bytes -> {});
  }

  /**
   * Streams blob {@code descriptor} into {@code out}, following redirects (without forwarding
   * credentials to other hosts) and verifying size and digest while streaming. After a dropped
   * connection or a truncated body the download resumes at the first missing byte
   * ({@code Range}); a registry that ignores {@code Range} sends the whole blob again and the bytes
   * already written are skipped. The digest is always computed over the whole blob.
   *
   * <p>On any exception, what was written to {@code out} is incomplete or wrong and must be
   * discarded; on normal return it is exactly the blob. Does not close {@code out}.
   *
   * @param progress receives the number of bytes written to {@code out} so far
   * @throws BlobUnknownException if the repository has no such blob
   * @throws ContentVerificationException if the content has the wrong size or digest
   * @throws IOException if writing to {@code out} fails
   * @throws RegistryException for other registry or network failures
   */
  public void pullBlob(Descriptor descriptor, OutputStream out, LongConsumer progress)
      throws IOException, RegistryException {
    Digest digest = descriptor.digest();
    String action = "pull blob " + digest + " from " + target();
    Download download = new Download(descriptor, out, progress, newMessageDigest(
        digest.algorithm()));
    withRetries(() -> {
      downloadFrom(action, download);
      return null;
    });
    Digest actual = new Digest(digest.algorithm(),
        HexFormat.of().formatHex(download.hash.digest()));
    if (!actual.equals(digest)) {
      throw new ContentVerificationException("Tried to " + action + " but failed because: the"
          + " content's digest is " + actual);
    }
  }

  /** The state of one blob download across attempts. */
  private static final class Download {
    final Descriptor descriptor;
    final OutputStream out;
    final LongConsumer progress;
    final MessageDigest hash;
    long written;

    Download(Descriptor descriptor, OutputStream out, LongConsumer progress, MessageDigest hash) {
      this.descriptor = descriptor;
      this.out = out;
      this.progress = progress;
      this.hash = hash;
    }
  }

  /** One attempt: fetches the bytes from {@code download.written} on. */
  private void downloadFrom(String action, Download download)
      throws IOException, RegistryException {
    long size = download.descriptor.size();
    Request get = Request.get(urls.blob(download.descriptor.digest())).asTransfer();
    if (download.written > 0) {
      get = get.withHeader("Range", "bytes=" + download.written + "-");
    }
    Response response;
    InputStream in;
    try {
      response = send(action, Scope.pull(repository), get);
    } catch (IOException e) {
      throw transportFailure(action, e);
    }
    try (response) {
      long skip;
      if (response.statusCode() == 206 && download.written > 0) {
        long start = contentRangeStart(action, response);
        skip = download.written - start;
        if (skip < 0) {
          throw new ContentVerificationException("Tried to " + action + " but failed because:"
              + " asked to resume at byte " + download.written + ", the registry sent bytes"
              + " from " + start);
        }
      } else if (response.statusCode() == 200) {
        skip = download.written;
        OptionalLong length = response.contentLength();
        if (length.isPresent() && length.getAsLong() != size) {
          throw new ContentVerificationException("Tried to " + action + " but failed because: the"
              + " registry sent " + length.getAsLong() + " bytes, expected " + size);
        }
      } else {
        throw failure(action, response, NotFound.BLOB);
      }
      try {
        in = response.body();
      } catch (IOException e) {
        throw transportFailure(action, e);
      }
      byte[] buffer = new byte[64 * 1024];
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          throw transportFailure(action, e);
        }
        if (n == -1) {
          break;
        }
        int from = 0;
        if (skip > 0) {
          from = (int) Math.min(skip, n);
          skip -= from;
        }
        int count = n - from;
        if (count == 0) {
          continue;
        }
        if (download.written + count > size) {
          throw new ContentVerificationException("Tried to " + action + " but failed because:"
              + " the registry sent more than the expected " + size + " bytes");
        }
        download.hash.update(buffer, from, count);
        download.out.write(buffer, from, count);
        download.written += count;
        download.progress.accept(download.written);
      }
      if (download.written != size) {
        throw new RegistryException("Tried to " + action + " but failed because: the registry"
            + " sent " + download.written + " of " + size + " bytes").markTransient(null);
      }
    }
  }

  /** The first byte position of a {@code Content-Range: bytes a-b/n} header. */
  private static long contentRangeStart(String action, Response response)
      throws RegistryException {
    String value = response.header("content-range").orElse("").trim();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("bytes\\s+(\\d+)-\\d+/(\\d+|\\*)").matcher(value);
    if (!m.matches()) {
      throw new RegistryException("Tried to " + action + " but failed because: the registry"
          + " answered a range request with Content-Range '" + value + "'");
    }
    return Long.parseLong(m.group(1));
  }

  private static long parseLong(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Runs {@code attempt}, repeating it after transient failures as the {@link RetryPolicy} says.
   * Non-transient failures and local I/O errors are thrown at once.
   */
  private <T> T withRetries(Attempt<T> attempt) throws IOException, RegistryException {
    for (int n = 1; ; n++) {
      try {
        return attempt.run();
      } catch (RegistryException e) {
        if (!e.isTransient()) {
          throw e;
        }
        if (n >= retryPolicy.maxAttempts()) {
          throw n > 1 ? e.gaveUpAfter(n) : e;
        }
        Duration wait = retryPolicy.delay(n, e.retryAfter());
        LOG.info("{}; retrying in {} ms (attempt {} of {})", e.getMessage(), wait.toMillis(),
            n + 1, retryPolicy.maxAttempts());
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while waiting to retry: "
              + e.getMessage());
        }
      }
    }
  }

  /** Same without local I/O (for operations that read and write no caller streams). */
  private <T> T retrying(RegistryAttempt<T> attempt) throws RegistryException {
    try {
      return withRetries((Attempt<T>) attempt::run);
    } catch (RegistryException e) {
      throw e;
    } catch (IOException e) {
      throw new RegistryException(e.getMessage(), e);
    }
  }

  /** One try of an operation. */
  @FunctionalInterface
  private interface Attempt<T> {
    T run() throws IOException, RegistryException;
  }

  /** One try of an operation that touches no caller streams. */
  @FunctionalInterface
  private interface RegistryAttempt<T> {
    T run() throws RegistryException;
  }

  // ---- request plumbing -------------------------------------------------------------------------

  /**
   * Sends {@code request} with the authorization {@code scope} needs; after a {@code 401}, lets the
   * authenticator learn the challenge and resends once. Returns whatever the final answer is.
   */
  private Response send(String action, Scope scope, Request request)
      throws IOException, RegistryException {
    Request first = authorize(action, scope, request);
    Response response = execute(first);
    if (response.statusCode() != 401) {
      return response;
    }
    List<String> challenges = response.headers("www-authenticate");
    byte[] body = readErrorBody(response);
    boolean retry;
    try {
      // Whether this request carried credentials matters: a parallel request may have learned
      // the challenge while this one was on its way anonymously.
      retry = authenticator.handleUnauthorized(challenges, scope,
          !first.headers("authorization").isEmpty());
    } catch (AuthenticationException e) {
      throw new RegistryUnauthorizedException(
          "Tried to " + action + " but failed because: " + e.getMessage(), "UNAUTHORIZED", 401, e);
    }
    if (!retry) {
      throw failure(action, 401, body, NotFound.OTHER);
    }
    return execute(authorize(action, scope, request));
  }

  private Request authorize(String action, Scope scope, Request request)
      throws IOException, RegistryException {
    try {
      Optional<String> authorization = authenticator.authorization(scope);
      return authorization.isPresent()
          ? request.withHeader("Authorization", authorization.get()) : request;
    } catch (AuthenticationException e) {
      throw new RegistryUnauthorizedException(
          "Tried to " + action + " but failed because: " + e.getMessage(), "UNAUTHORIZED", 401, e);
    }
  }

  private Response execute(Request request) throws IOException {
    Response response = http.execute(request);
    for (String warning : response.headers("warning")) {
      LOG.warn("{} says: {}", registry, warning);
    }
    return response;
  }

  private URI uploadLocation(String action, Response response) throws RegistryException {
    Optional<String> location = response.header("location");
    if (location.isEmpty() || location.get().isBlank()) {
      throw new RegistryException("Tried to " + action + " but failed because: the registry"
          + " started an upload without sending its Location");
    }
    return RegistryUrls.resolveLocation(response.url(), location.get());
  }

  /** Best effort: a leftover session only wastes registry space until it expires. */
  private void cancelUpload(URI location) {
    try (Response ignored =
        send("cancel upload", Scope.push(repository), Request.delete(location))) {
      LOG.debug("Cancelled upload session: {}", ignored.statusCode());
    } catch (IOException | RegistryException e) {
      LOG.debug("Could not cancel an upload session in {}: {}", target(), e.getMessage());
    }
  }

  private static void checkDigestHeader(String action, Response response, Digest expected)
      throws RegistryException {
    Optional<String> header = response.header("docker-content-digest");
    if (header.isEmpty()) {
      return;
    }
    Digest claimed = parseDigestHeader(action, header.get());
    if (claimed.algorithm().equals(expected.algorithm()) && !claimed.equals(expected)) {
      throw new ContentVerificationException("Tried to " + action + " but failed because: the"
          + " registry reports digest " + claimed + " instead of " + expected);
    }
  }

  private static Digest parseDigestHeader(String action, String value)
      throws ContentVerificationException {
    try {
      return Digest.parse(value.trim());
    } catch (IllegalArgumentException e) {
      throw new ContentVerificationException("Tried to " + action + " but failed because: the"
          + " registry sent an invalid Docker-Content-Digest header (" + e.getMessage() + ")");
    }
  }

  /** The manifest's media type: Content-Type, else its {@code mediaType} field, else its shape. */
  private static String manifestMediaType(String action, byte[] bytes, Optional<String> contentType)
      throws RegistryException {
    JsonNode json;
    try {
      json = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new RegistryException("Tried to " + action + " but failed because: the manifest is"
          + " not valid JSON (" + e.getMessage() + ")", e);
    }
    String field = json == null ? "" : json.path("mediaType").asText("");
    if (contentType.isPresent() && !field.isEmpty() && !field.equals(contentType.get())
        && !contentType.get().equals(OCTET_STREAM)) {
      throw new ContentVerificationException("Tried to " + action + " but failed because: the"
          + " registry sent it as " + contentType.get() + " but it says it is " + field);
    }
    if (contentType.isPresent() && !contentType.get().equals(OCTET_STREAM)) {
      return contentType.get();
    }
    if (!field.isEmpty()) {
      return field;
    }
    return json != null && json.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
  }

  // ---- errors -------------------------------------------------------------------------------------

  private enum NotFound { MANIFEST, BLOB, OTHER }

  private RegistryException failure(String action, Response response, NotFound notFound) {
    RegistryException e = failure(action, response.statusCode(), readErrorBody(response), notFound);
    if (RetryPolicy.isTransientStatus(response.statusCode())) {
      e.markTransient(RetryPolicy.retryAfter(response));
    }
    return e;
  }

  private static byte[] readErrorBody(Response response) {
    try {
      return response.readBody(MAX_ERROR_BYTES);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** Maps an error response to the most specific exception, keeping the registry's words. */
  RegistryException failure(String action, int status, byte[] body, NotFound notFound) {
    Optional<ErrorResponse> errors = ErrorResponse.parse(body);
    String reason;
    String code = null;
    if (errors.isPresent()) {
      reason = errors.get().errors().stream().map(ErrorResponse.Entry::describe)
          .collect(Collectors.joining("; "));
      code = errors.get().errors().get(0).code();
    } else {
      reason = "HTTP " + status + plainTextSnippet(body);
    }
    String message = "Tried to " + action + " but failed because: " + reason;
    boolean unauthorized = status == 401 || (errors.isPresent()
        && errors.get().hasCode("UNAUTHORIZED"));
    boolean denied = status == 403 || (errors.isPresent() && errors.get().hasCode("DENIED"));
    if (unauthorized) {
      return new RegistryUnauthorizedException(message + (authenticator.hasCredential()
          ? " (the registry rejected the credentials for " + registry + ")"
          : " (no credentials are configured for " + registry + "; log in with `docker login "
              + registry + "`)"), code, status, null);
    }
    if (denied) {
      return new RegistryUnauthorizedException(
          message + " (the credentials for " + registry + " lack permission for " + repository
              + ")", code, status, null);
    }
    boolean manifestUnknown = errors.isPresent() ? errors.get().hasCode("MANIFEST_UNKNOWN")
        : status == 404 && notFound == NotFound.MANIFEST;
    if (manifestUnknown) {
      return new ManifestUnknownException(message, code, status);
    }
    boolean blobUnknown = errors.isPresent() ? errors.get().hasCode("BLOB_UNKNOWN")
        && notFound == NotFound.BLOB : status == 404 && notFound == NotFound.BLOB;
    if (blobUnknown) {
      return new BlobUnknownException(message, code, status);
    }
    return new RegistryException(message, code, status, null);
  }

  private static String plainTextSnippet(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    if (text.isEmpty() || text.startsWith("<")) {
      return "";
    }
    return ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text);
  }

  /** Turns a network-level exception into a message that says what to check. */
  RegistryException transportFailure(String action, IOException e) {
    String host = urls.base().getAuthority();
    String reason;
    if (e instanceof ConnectException) {
      reason = "cannot connect to " + host + " (connection refused). Is the registry running?";
    } else if (e instanceof UnknownHostException) {
      reason = "cannot resolve the registry host " + urls.base().getHost();
    } else if (e instanceof NoRouteToHostException) {
      reason = "no route to " + host;
    } else if (e instanceof SocketTimeoutException) {
      reason = host + " did not answer in time (" + e.getMessage() + ")";
    } else if (e instanceof TooManyRedirectsException) {
      reason = "the registry " + e.getMessage() + "; a redirect loop does not go away on retry";
    } else if (e instanceof BodyTooLargeException) {
      reason = "the registry sent more than the limit of "
          + (((BodyTooLargeException) e).limit() >> 20) + " MiB (" + e.getMessage() + ")";
    } else if (e instanceof SSLException) {
      reason = "the TLS handshake with " + host + " failed (" + e.getMessage() + "). If the"
          + " registry serves plain HTTP, mark " + registry + " as an insecure registry";
    } else {
      reason = "I/O error talking to " + host + ": " + e.getMessage();
    }
    RegistryException failure =
        new RegistryException("Tried to " + action + " but failed because: " + reason, null, 0, e);
    return RetryPolicy.isTransientIo(e) ? failure.markTransient(null) : failure;
  }

  /** The caller's own I/O failure hidden in {@code e}'s causes, or null if the network failed. */
  private static IOException localCause(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof LocalIOException) {
        return ((LocalIOException) t).getCause();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  // ---- small helpers ------------------------------------------------------------------------------

  private String target() {
    return registry + "/" + repository;
  }

  private String display(String tagOrDigest) {
    return target() + (tagOrDigest.indexOf(':') >= 0 ? "@" : ":") + tagOrDigest;
  }

  /** The digest if {@code tagOrDigest} is one (tags cannot contain ':'), else null. */
  private static Digest parseDigestReference(String tagOrDigest) {
    return tagOrDigest.indexOf(':') >= 0 ? Digest.parse(tagOrDigest) : null;
  }

  static String stripParameters(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
        .toLowerCase(Locale.ROOT);
  }

  static Digest digestOf(byte[] bytes, String algorithm) {
    return new Digest(algorithm, HexFormat.of().formatHex(newMessageDigest(algorithm).digest(bytes)));
  }

  private static MessageDigest newMessageDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JVM without " + algorithm, e);
    }
  }

  /** An {@link IOException} from the caller's {@link BlobSource}, as opposed to the network. */
  private static final class LocalIOException extends IOException {
    private static final long serialVersionUID = 1L;

    LocalIOException(IOException cause) {
      super(cause.getMessage(), cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }

  /**
   * Streams {@code length} bytes of a {@link BlobSource} from {@code offset} (the whole blob, or
   * one chunk of it), checking that the source holds exactly {@code total} bytes.
   */
  private static final class SourceBody implements RequestBody {
    private final BlobSource source;
    final long offset;
    final long length;
    private final long total;
    private final Digest digest;
    private final LongConsumer progress;

    SourceBody(BlobSource source, long offset, long length, long total, Digest digest,
        LongConsumer progress) {
      this.source = source;
      this.offset = offset;
      this.length = length;
      this.total = total;
      this.digest = digest;
      this.progress = progress;
    }

    @Override
    public String contentType() {
      return OCTET_STREAM;
    }

    @Override
    public long length() {
      return length;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      byte[] buffer = new byte[256 * 1024];
      InputStream in;
      try {
        in = source.open();
        in.skipNBytes(offset);
      } catch (IOException e) {
        throw new LocalIOException(e);
      }
      boolean last = offset + length == total;
      long written = 0;
      try (in) {
        while (written < length || last) {
          // On the last part read one byte more than expected, to notice a source that is longer
          // than its declared size.
          int want = (int) Math.min(buffer.length, length - written + (last ? 1 : 0));
          int n;
          try {
            n = in.read(buffer, 0, want);
          } catch (IOException e) {
            throw new LocalIOException(e);
          }
          if (n == -1) {
            break;
          }
          written += n;
          if (written > length) {
            throw new LocalIOException(new IOException("the content of blob " + digest
                + " is longer than its declared size of " + total + " bytes"));
          }
          out.write(buffer, 0, n);
          progress.accept(offset + written);
        }
      } catch (java.io.EOFException e) {
        throw new LocalIOException(e);
      }
      if (written != length) {
        throw new LocalIOException(new IOException("the content of blob " + digest + " has "
            + (offset + written) + " bytes, but its declared size is " + total));
      }
    }
  }
}
