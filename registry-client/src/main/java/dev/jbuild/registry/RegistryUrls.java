package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the distribution API URLs ({@code /v2/<name>/...}) for one repository. Immutable.
 */
final class RegistryUrls {
  /** moby {@code DefaultRegistryHost}: Docker Hub's API host. */
  static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";

  private final URI base;
  private final String repository;

  RegistryUrls(URI base, String repository) {
    this.base = base;
    this.repository = repository;
  }

  /**
   * {@code http://registry} for loopback and insecure registries, {@code https://registry}
   * otherwise; Docker Hub ({@code docker.io}) maps to its API host.
   */
  static URI baseUri(String registry, Set<String> insecureRegistries) {
    String host = registry.equalsIgnoreCase("docker.io")
        || registry.equalsIgnoreCase("index.docker.io") ? DOCKER_HUB_API_HOST : registry;
    boolean plain = isLoopback(registry) || insecureRegistries.contains(registry);
    return URI.create((plain ? "http://" : "https://") + host);
  }

  /**
   * For a registry declared insecure: {@code https://registry} if it completes a TLS exchange at
   * all (certificates are not checked), else {@code http://registry}, as Docker does.
   */
  static URI probeScheme(dev.jbuild.registry.http.HttpExecutor http, String registry) {
    URI https = URI.create("https://" + registry);
    try (dev.jbuild.registry.http.Response ignored =
        http.execute(dev.jbuild.registry.http.Request.get(https.resolve("/v2/")))) {
      return https;
    } catch (java.io.IOException e) {
      return URI.create("http://" + registry);
    }
  }

  /** True for {@code localhost}, {@code 127.0.0.0/8} and {@code [::1]}, with or without a port. */
  static boolean isLoopback(String registry) {
    String host;
    if (registry.startsWith("[")) {
      int end = registry.indexOf(']');
      host = end < 0 ? registry : registry.substring(0, end + 1);
    } else {
      int colon = registry.indexOf(':');
      host = colon < 0 ? registry : registry.substring(0, colon);
    }
    host = host.toLowerCase(Locale.ROOT);
    return host.equals("localhost") || host.equals("[::1]") || isLoopbackV4(host);
  }

  private static boolean isLoopbackV4(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
          || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  URI base() {
    return base;
  }

  /** {@code /v2/} , the API version check (and challenge) endpoint. */
  URI ping() {
    return base.resolve("/v2/");
  }

  URI blob(Digest digest) {
    return base.resolve("/v2/" + repository + "/blobs/" + digest);
  }

  URI manifest(String tagOrDigest) {
    return base.resolve("/v2/" + repository + "/manifests/" + tagOrDigest);
  }

  URI uploads() {
    return base.resolve("/v2/" + repository + "/blobs/uploads/");
  }

  URI mount(Digest digest, String fromRepository) {
    return URI.create(
        uploads() + "?mount=" + encode(digest.toString()) + "&from=" + encode(fromRepository));
  }

  /**
   * Resolves an upload {@code Location} against the request that returned it. Registries send
   * either an absolute URL or a path; both keep their query (distribution's {@code _state}).
   */
  static URI resolveLocation(URI requestUrl, String location) {
    return requestUrl.resolve(location.trim());
  }

  /**
   * Appends {@code digest=<digest>} to an upload location, keeping its existing, already-encoded
   * query (docker-registry 2.8 puts {@code _state} there).
   */
  static URI withDigest(URI location, Digest digest) {
    String text = location.toString();
    int hash = text.indexOf('#');
    if (hash >= 0) {
      text = text.substring(0, hash);
    }
    String separator = text.indexOf('?') < 0 ? "?" : (text.endsWith("?") || text.endsWith("&")
        ? "" : "&");
    return URI.create(text + separator + "digest=" + encode(digest.toString()));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
