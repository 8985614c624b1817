package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.registry.auth.Authenticator;
import dev.jbuild.registry.auth.Credential;
import dev.jbuild.registry.auth.DockerConfigCredentials;
import dev.jbuild.registry.http.HttpExecutor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
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
 *
 * <p>A facade, as Jib's {@code RegistryClient}: each call is one {@link RegistryEndpoint}
 * ({@link BlobChecker}, {@link BlobPuller}, {@link ManifestPuller}, …; uploads are
 * {@link BlobPusher}) run by a {@link RegistryEndpointCaller}, which owns authentication and
 * retries; {@link ResponseFailures} and {@link RegistryErrorExceptionBuilder} word the failures.
 */
public final class RegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);
  /** Registries must accept 4 MB manifests; allow more when reading, but not without bound. */
  static final int MAX_MANIFEST_BYTES = 16 << 20;

  private final RegistryTarget target;
  private final RegistryEndpointCaller caller;
  private final BlobPusher blobPusher;

  private RegistryClient(RegistryTarget target, HttpExecutor http, Authenticator authenticator,
      RegistryOptions options) {
    this.target = target;
    this.caller = new RegistryEndpointCaller(target.registry(), http, authenticator,
        options.retryPolicy(), new ResponseFailures(target, authenticator));
    this.blobPusher = new BlobPusher(caller, target, options.chunkSize());
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
        new RegistryTarget(registry, repository, new RegistryUrls(base, repository)), http,
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
    return target.registry();
  }

  /** The repository, for example {@code library/busybox}. */
  public String repository() {
    return target.repository();
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
    caller.call(new LoginChecker(target));
  }

  /**
   * Checks whether the repository has blob {@code digest} ({@code HEAD /v2/<name>/blobs/<d>}).
   *
   * @return its descriptor (media type {@code application/octet-stream} unless the registry says
   *     otherwise, size from {@code Content-Length}), or empty if the blob is absent
   * @throws RegistryException if the registry fails or refuses
   */
  public Optional<Descriptor> checkBlob(Digest digest) throws RegistryException {
    return caller.call(new BlobChecker(target, digest));
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
    blobPusher.push(digest, size, source, progress);
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
    BlobMounter.Outcome outcome = caller.call(new BlobMounter(target, digest, fromRepository));
    outcome.openedSession().ifPresent(blobPusher::cancel);
    return outcome.mounted();
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
    return caller.call(new ManifestPuller(target, tagOrDigest));
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
    return caller.call(new ManifestPusher(target, tagOrDigest, bytes, mediaType));
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
    BlobPuller puller = new BlobPuller(target, descriptor, out, progress);
    caller.withRetries(() -> caller.callOnce(puller));
    puller.verifyDigest();
  }
}
