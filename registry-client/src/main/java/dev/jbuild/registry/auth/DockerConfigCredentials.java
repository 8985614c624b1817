package dev.jbuild.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads credentials that {@code docker login} stored in {@code config.json} (docker/cli
 * {@code cli/config}): the {@code auths} map of {@code {"<key>": {"auth": base64(user:pass)}}}.
 *
 * <p>Keys match the registry's {@code host[:port]}; legacy URL keys such as
 * {@code https://host/v1/} match by their host part (docker/cli {@code ConvertToHostname}). Docker
 * Hub is stored under {@code https://index.docker.io/v1/}.
 *
 * <p>Not supported yet: {@code credHelpers}, {@code credsStore} and {@code identitytoken}; entries
 * using them are skipped with a warning.
 *
 * <p>Immutable and thread-safe.
 */
public final class DockerConfigCredentials {
  private static final Logger LOG = LoggerFactory.getLogger(DockerConfigCredentials.class);
  private static final List<String> DOCKER_HUB_ALIASES =
      List.of("https://index.docker.io/v1/", "index.docker.io", "docker.io",
          "registry-1.docker.io");

  private final Path configFile;
  private final JsonNode root;

  private DockerConfigCredentials(Path configFile, JsonNode root) {
    this.configFile = configFile;
    this.root = root;
  }

  /**
   * The default directory: {@code $DOCKER_CONFIG}, else {@code ~/.docker}.
   */
  public static Path defaultDirectory() {
    String env = System.getenv("DOCKER_CONFIG");
    if (env != null && !env.isEmpty()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".docker");
  }

  /**
   * Loads {@code <directory>/config.json}. A missing file gives an empty credential set.
   *
   * @throws IOException if the file exists but cannot be read or is not valid JSON
   */
  public static DockerConfigCredentials load(Path directory) throws IOException {
    Path file = directory.resolve("config.json");
    if (!Files.exists(file)) {
      return new DockerConfigCredentials(file, null);
    }
    try {
      return new DockerConfigCredentials(file, new ObjectMapper().readTree(file.toFile()));
    } catch (IOException e) {
      throw new IOException(
          "Tried to read Docker credentials from " + file + " but failed because: "
              + e.getMessage(), e);
    }
  }

  /**
   * The credential for {@code registry} ({@code host[:port]}, {@code docker.io} for Docker Hub).
   */
  public Optional<Credential> find(String registry) {
    if (root == null || !root.path("auths").isObject()) {
      return Optional.empty();
    }
    JsonNode auths = root.get("auths");
    List<String> wanted = isDockerHub(registry) ? DOCKER_HUB_ALIASES : List.of(registry);
    // Exact keys first, in Docker's order of preference, then legacy URL-shaped keys.
    for (String key : wanted) {
      Optional<Credential> found = decode(key, auths.get(key));
      if (found.isPresent()) {
        return found;
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String host = toHostname(entry.getKey());
      boolean matches = isDockerHub(registry) ? isDockerHub(host)
          : host.equalsIgnoreCase(registry);
      if (matches) {
        Optional<Credential> found = decode(entry.getKey(), entry.getValue());
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private Optional<Credential> decode(String key, JsonNode entry) {
    if (entry == null || !entry.isObject()) {
      return Optional.empty();
    }
    String auth = entry.path("auth").asText("");
    if (auth.isEmpty()) {
      if (entry.hasNonNull("identitytoken")) {
        LOG.warn("Ignoring the identity token for {} in {}: identity tokens are not supported yet",
            key, configFile);
      }
      return Optional.empty();
    }
    try {
      return Optional.of(Credential.fromDockerAuth(auth));
    } catch (IllegalArgumentException e) {
      LOG.warn("Ignoring the credentials for {} in {}: {}", key, configFile, e.getMessage());
      return Optional.empty();
    }
  }

  /** docker/cli {@code ConvertToHostname}: strip the scheme and everything after the host. */
  static String toHostname(String key) {
    String stripped = key;
    if (stripped.startsWith("http://")) {
      stripped = stripped.substring("http://".length());
    } else if (stripped.startsWith("https://")) {
      stripped = stripped.substring("https://".length());
    }
    int slash = stripped.indexOf('/');
    return slash < 0 ? stripped : stripped.substring(0, slash);
  }

  private static boolean isDockerHub(String registry) {
    String r = registry.toLowerCase(Locale.ROOT);
    return r.equals("docker.io") || r.equals("index.docker.io") || r.equals("registry-1.docker.io");
  }

  /** True if {@code credsStore} or {@code credHelpers} is configured (not supported yet). */
  public boolean usesCredentialHelpers() {
    return root != null && (root.hasNonNull("credsStore") || root.path("credHelpers").size() > 0);
  }
}
