package dev.jbuild.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the credentials of Docker's {@code config.json} (docker/cli
 * {@code cli/config}), in Docker's order of precedence:
 *
 * <ol>
 *   <li>{@code credHelpers} {@code {"<host>": "<suffix>"}}: that registry's credential helper;
 *   <li>{@code credsStore} {@code "<suffix>"}: the helper for every registry;
 *   <li>the {@code auths} map of {@code {"<key>": {"auth": base64(user:pass)}}} or
 *       {@code {"identitytoken": "..."}} (an OAuth2 refresh token).
 * </ol>
 *
 * <p>Helpers are {@code docker-credential-<suffix>} programs (see {@link CredentialHelper}); one
 * that fails or knows nothing about the registry leaves the {@code auths} entry, if any, to
 * answer.
 *
 * <p>Keys match the registry's {@code host[:port]}; legacy URL keys such as
 * {@code https://host/v1/} match by their host part (docker/cli {@code ConvertToHostname}). Docker
 * Hub is stored under {@code https://index.docker.io/v1/}.
 *
 * <p>{@link #store} and {@link #erase} implement {@code docker login} and {@code docker logout}:
 * through the helper if one is configured, else in {@code auths}; the file is replaced atomically
 * and has mode 0600 (its directory 0700) since it may hold passwords.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class DockerConfigCredentials {
  /**
   * The logger and the mapper, made on first use: every command that may reach a registry calls
   * {@link #defaultDirectory()} up front (a build whose base is in the store never reads the
   * file), and a first mapper costs its ~20 ms there.
   */
  private static final class Lazy {
    static final Logger LOG = LoggerFactory.getLogger(DockerConfigCredentials.class);
    static final ObjectMapper JSON = new ObjectMapper();
  }

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
      return new DockerConfigCredentials(file, Lazy.JSON.readTree(file.toFile()));
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
    if (root == null) {
      return Optional.empty();
    }
    Optional<String> helper = helperFor(registry);
    if (helper.isPresent()) {
      try {
        Optional<Credential> found = new CredentialHelper(helper.get()).get(serverUrl(registry));
        if (found.isPresent()) {
          return found;
        }
      } catch (IOException | IllegalArgumentException e) {
        Lazy.LOG.warn("{}; looking for credentials for {} in {} instead", e.getMessage(),
            registry, configFile);
      }
    }
    if (!root.path("auths").isObject()) {
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
    String identityToken = entry.path("identitytoken").asText("");
    if (!identityToken.isEmpty()) {
      return Optional.of(Credential.identityToken(identityToken));
    }
    String auth = entry.path("auth").asText("");
    if (auth.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Credential.fromDockerAuth(auth));
    } catch (IllegalArgumentException e) {
      Lazy.LOG.warn("Ignoring the credentials for {} in {}: {}", key, configFile, e.getMessage());
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

  /** True if {@code credsStore} or {@code credHelpers} is configured. */
  public boolean usesCredentialHelpers() {
    return root != null && (root.hasNonNull("credsStore") || root.path("credHelpers").size() > 0);
  }

  /** The helper suffix for {@code registry}: its {@code credHelpers} entry, else credsStore. */
  Optional<String> helperFor(String registry) {
    if (root == null) {
      return Optional.empty();
    }
    JsonNode helpers = root.path("credHelpers");
    for (String key : isDockerHub(registry) ? DOCKER_HUB_ALIASES : List.of(registry)) {
      String suffix = helpers.path(key).asText("");
      if (!suffix.isEmpty()) {
        return Optional.of(suffix);
      }
    }
    String store = root.path("credsStore").asText("");
    return store.isEmpty() ? Optional.empty() : Optional.of(store);
  }

  /**
   * The key Docker uses for {@code registry} in {@code auths} and with helpers:
   * {@code https://index.docker.io/v1/} for Docker Hub, else {@code host[:port]}.
   */
  public static String serverUrl(String registry) {
    return isDockerHub(registry) ? DOCKER_HUB_ALIASES.get(0) : registry;
  }

  /**
   * Saves {@code credential} for {@code registry} as {@code docker login} does: with the
   * configured credential helper if there is one (leaving an empty {@code auths} entry, as Docker
   * does), else base64-encoded in {@code auths}. Other settings in the file are kept.
   *
   * @return where the credential went: the file, or the helper program
   * @throws IOException if the file cannot be read or written, or the helper fails
   */
  public static String store(Path directory, String registry, Credential credential)
      throws IOException {
    DockerConfigCredentials current = load(directory);
    ObjectNode root = current.mutableRoot();
    ObjectNode auths = root.path("auths").isObject() ? (ObjectNode) root.get("auths")
        : root.putObject("auths");
    String key = serverUrl(registry);
    Optional<String> helper = current.helperFor(registry);
    String where;
    if (helper.isPresent()) {
      CredentialHelper program = new CredentialHelper(helper.get());
      program.store(key, credential);
      auths.putObject(key);
      where = program.program();
    } else {
      ObjectNode entry = auths.putObject(key);
      if (credential.isIdentityToken()) {
        entry.put("identitytoken", credential.password());
      } else {
        entry.put("auth", credential.toDockerAuth());
      }
      where = current.configFile.toString();
    }
    write(current.configFile, root);
    return where;
  }

  /**
   * Removes the credential for {@code registry} as {@code docker logout} does: from the helper if
   * one is configured, and every {@code auths} entry for that host.
   *
   * @return false if nothing was stored for it
   * @throws IOException if the file cannot be read or written, or the helper fails
   */
  public static boolean erase(Path directory, String registry) throws IOException {
    DockerConfigCredentials current = load(directory);
    if (current.root == null) {
      return false;
    }
    ObjectNode root = current.mutableRoot();
    boolean found = false;
    Optional<String> helper = current.helperFor(registry);
    if (helper.isPresent()) {
      new CredentialHelper(helper.get()).erase(serverUrl(registry));
      found = true;
    }
    JsonNode auths = root.path("auths");
    if (auths.isObject()) {
      List<String> remove = new java.util.ArrayList<>();
      auths.fieldNames().forEachRemaining(key -> {
        String host = toHostname(key);
        if (isDockerHub(registry) ? isDockerHub(host) : host.equalsIgnoreCase(registry)) {
          remove.add(key);
        }
      });
      found |= !remove.isEmpty();
      ((ObjectNode) auths).remove(remove);
    }
    if (found) {
      write(current.configFile, root);
    }
    return found;
  }

  private ObjectNode mutableRoot() throws IOException {
    if (root == null) {
      return Lazy.JSON.createObjectNode();
    }
    if (!root.isObject()) {
      throw new IOException("Tried to update " + configFile + " but failed because: it does not"
          + " hold a JSON object");
    }
    return ((ObjectNode) root).deepCopy();
  }

  /** Replaces the file atomically, created 0600 so that no other user ever sees the content. */
  private static void write(Path file, ObjectNode root) throws IOException {
    Path directory = file.toAbsolutePath().getParent();
    try {
      if (!Files.isDirectory(directory)) {
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
      }
      Path temp = Files.createTempFile(directory, "config.json.", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.write(temp, Lazy.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new IOException("Tried to write " + file + " but failed because: " + e.getMessage(),
          e);
    }
  }
}
