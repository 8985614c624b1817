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
 * @param readTimeout the socket read timeout
 * @param userAgent the {@code User-Agent} header
 */
public record RegistryOptions(
    Set<String> insecureRegistries,
    Map<String, Credential> credentials,
    Path dockerConfigDirectory,
    Duration connectTimeout,
    Duration readTimeout,
    String userAgent) {

  /** Copies and validates. */
  public RegistryOptions {
    insecureRegistries = Set.copyOf(insecureRegistries);
    credentials = Map.copyOf(credentials);
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(userAgent, "userAgent");
  }

  /**
   * Defaults: no insecure registries, no explicit credentials, {@code config.json} from
   * {@code $DOCKER_CONFIG} or {@code ~/.docker}, 20 s connect and 5 min read timeouts.
   */
  public static RegistryOptions defaults() {
    return new RegistryOptions(
        Set.of(), Map.of(), dev.jbuild.registry.auth.DockerConfigCredentials.defaultDirectory(),
        Duration.ofSeconds(20), Duration.ofMinutes(5), "jbuild/0.1");
  }

  /** Adds registries to reach over plain HTTP. */
  public RegistryOptions withInsecureRegistries(String... registries) {
    Set<String> set = new HashSet<>(insecureRegistries);
    set.addAll(Set.of(registries));
    return new RegistryOptions(
        set, credentials, dockerConfigDirectory, connectTimeout, readTimeout, userAgent);
  }

  /** Uses {@code credential} for {@code registry} ({@code host[:port]}). */
  public RegistryOptions withCredential(String registry, Credential credential) {
    Map<String, Credential> map = new HashMap<>(credentials);
    map.put(registry, credential);
    return new RegistryOptions(
        insecureRegistries, map, dockerConfigDirectory, connectTimeout, readTimeout, userAgent);
  }

  /** Reads {@code config.json} from {@code directory} instead; null disables it. */
  public RegistryOptions withDockerConfigDirectory(Path directory) {
    return new RegistryOptions(
        insecureRegistries, credentials, directory, connectTimeout, readTimeout, userAgent);
  }

  /** Uses other timeouts. */
  public RegistryOptions withTimeouts(Duration connect, Duration read) {
    return new RegistryOptions(
        insecureRegistries, credentials, dockerConfigDirectory, connect, read, userAgent);
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
