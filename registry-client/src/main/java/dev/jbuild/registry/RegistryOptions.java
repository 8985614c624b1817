package dev.jbuild.registry;

import dev.jbuild.registry.auth.Credential;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How to reach registries: which ones speak plain HTTP, which credentials to use, timeouts.
 * Immutable; the {@code with…} methods return modified copies.
 *
 * @param insecureRegistries registries ({@code host[:port]}) reached over plain HTTP; loopback
 *     registries always are
 * @param credentials explicit credentials by registry ({@code host[:port]}); these win over
 *     {@code config.json}
 * @param dockerConfigDirectory where to read {@code config.json}, or null to not read it
 * @param connectTimeout the TCP connect timeout
 * @param readTimeout the longest silence of a blob transfer (no byte received or sent); a slow
 *     but moving transfer is never cut off
 * @param userAgent the {@code User-Agent} header
 * @param retryPolicy when to retry transient failures
 * @param chunkSize 0 to upload each blob with one {@code PUT} (monolithic); otherwise the size of
 *     the {@code PATCH} chunks of a chunked upload (raised to the registry's
 *     {@code OCI-Chunk-Min-Length} when it asks for more)
 * @param requestTimeout the overall deadline of every request that is not a blob transfer
 *     (manifests, tokens, {@code HEAD}s, upload starts), body included
 * @param noticeAfter how long a request may make no progress before one line (slf4j INFO) says
 *     which registry and request are being waited for
 * @see dev.jbuild.registry.http.Timeouts
 */
public record RegistryOptions(
    Set<String> insecureRegistries,
    Map<String, Credential> credentials,
    Path dockerConfigDirectory,
    Duration connectTimeout,
    Duration readTimeout,
    String userAgent,
    RetryPolicy retryPolicy,
    long chunkSize,
    Duration requestTimeout,
    Duration noticeAfter) {

  /** Copies and validates. */
  public RegistryOptions {
    insecureRegistries = Set.copyOf(insecureRegistries);
    credentials = Map.copyOf(credentials);
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(userAgent, "userAgent");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(noticeAfter, "noticeAfter");
    if (chunkSize < 0) {
      throw new IllegalArgumentException("chunkSize must not be negative");
    }
  }

  /**
   * The options without retry policy, chunk size, request deadline and notice: defaults for those,
   * with {@code readTimeout} as the request deadline too.
   */
  public RegistryOptions(
      Set<String> insecureRegistries, Map<String, Credential> credentials,
      Path dockerConfigDirectory, Duration connectTimeout, Duration readTimeout,
      String userAgent) {
    this(insecureRegistries, credentials, dockerConfigDirectory, connectTimeout, readTimeout,
        userAgent, RetryPolicy.defaults(), 0, readTimeout, Duration.ofSeconds(10));
  }

  /**
   * Defaults: no insecure registries, no explicit credentials, {@code config.json} from
   * {@code $DOCKER_CONFIG} or {@code ~/.docker}, {@link RetryPolicy#defaults()}, monolithic
   * uploads, and the timeouts of {@link TimeoutSettings}: 20 s to connect, 30 s for a small
   * request, 60 s of silence for a blob transfer, a notice after 10 s without progress (each
   * overridable by a system property or environment variable, see there).
   */
  public static RegistryOptions defaults() {
    return new RegistryOptions(
        Set.of(), Map.of(), dev.jbuild.registry.auth.DockerConfigCredentials.defaultDirectory(),
        TimeoutSettings.CONNECT.get(), TimeoutSettings.STALL.get(), "jbuild/0.1",
        RetryPolicy.defaults(), 0, TimeoutSettings.REQUEST.get(), TimeoutSettings.NOTICE.get());
  }

  /** The timeouts as {@link dev.jbuild.registry.http.HttpExecutor} takes them. */
  public dev.jbuild.registry.http.Timeouts timeouts() {
    return new dev.jbuild.registry.http.Timeouts(connectTimeout, requestTimeout, readTimeout,
        noticeAfter);
  }

  /** Gives small requests the overall deadline {@code request}; notices after {@code notice}. */
  public RegistryOptions withRequestTimeout(Duration request, Duration notice) {
    return new RegistryOptions(insecureRegistries, credentials, dockerConfigDirectory,
        connectTimeout, readTimeout, userAgent, retryPolicy, chunkSize, request, notice);
  }

  /** Adds registries to reach over plain HTTP. */
  public RegistryOptions withInsecureRegistries(String... registries) {
    Set<String> set = new HashSet<>(insecureRegistries);
    set.addAll(Set.of(registries));
    return new RegistryOptions(
        set, credentials, dockerConfigDirectory, connectTimeout, readTimeout, userAgent,
        retryPolicy, chunkSize, requestTimeout, noticeAfter);
  }

  /** Uses {@code credential} for {@code registry} ({@code host[:port]}). */
  public RegistryOptions withCredential(String registry, Credential credential) {
    Map<String, Credential> map = new HashMap<>(credentials);
    map.put(registry, credential);
    return new RegistryOptions(
        insecureRegistries, map, dockerConfigDirectory, connectTimeout, readTimeout, userAgent,
        retryPolicy, chunkSize, requestTimeout, noticeAfter);
  }

  /** Reads {@code config.json} from {@code directory} instead; null disables it. */
  public RegistryOptions withDockerConfigDirectory(Path directory) {
    return new RegistryOptions(
        insecureRegistries, credentials, directory, connectTimeout, readTimeout, userAgent,
        retryPolicy, chunkSize, requestTimeout, noticeAfter);
  }

  /** Uses other timeouts. */
  public RegistryOptions withTimeouts(Duration connect, Duration read) {
    return new RegistryOptions(
        insecureRegistries, credentials, dockerConfigDirectory, connect, read, userAgent,
        retryPolicy, chunkSize, requestTimeout, noticeAfter);
  }

  /** Uses another retry policy. */
  public RegistryOptions withRetryPolicy(RetryPolicy policy) {
    return new RegistryOptions(insecureRegistries, credentials, dockerConfigDirectory,
        connectTimeout, readTimeout, userAgent, policy, chunkSize, requestTimeout, noticeAfter);
  }

  /** Uploads blobs in chunks of {@code bytes} ({@code PATCH}); 0 uploads them whole. */
  public RegistryOptions withChunkSize(long bytes) {
    return new RegistryOptions(insecureRegistries, credentials, dockerConfigDirectory,
        connectTimeout, readTimeout, userAgent, retryPolicy, bytes, requestTimeout, noticeAfter);
  }

  /** True if {@code registry} is reached over plain HTTP (loopback or declared insecure). */
  public boolean isInsecure(String registry) {
    return insecureRegistries.contains(registry) || RegistryUrls.isLoopback(registry);
  }

  /** The explicit credential for {@code registry}, if any. */
  public Optional<Credential> credential(String registry) {
    return Optional.ofNullable(credentials.get(registry));
  }

  /** Lists registries and users only; never passwords. */
  @Override
  public String toString() {
    return "RegistryOptions[insecure=" + insecureRegistries + ", credentials for "
        + credentials.keySet() + ", dockerConfig=" + dockerConfigDirectory + "]";
  }
}
