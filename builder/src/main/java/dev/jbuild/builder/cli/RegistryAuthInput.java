package dev.jbuild.builder.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.registry.auth.Credential;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hidden {@code --registry-auth-stdin} option's input: registry credentials that a caller
 * (the Maven plugin, with the decrypted {@code settings.xml} servers) hands to this process over
 * a pipe, the way {@code docker login --password-stdin} takes a password, so they never appear in
 * the command line, the environment or a file. The shape is {@code config.json}'s:
 *
 * <pre>
 * {"auths": {"127.0.0.1:5000": {"username": "u", "password": "p"},
 *            "registry.example": {"auth": "base64(user:password)"}}}
 * </pre>
 *
 * <p>They win over {@code ~/.docker/config.json} and credential helpers for their registries, as
 * {@code RegistryOptions.withCredential} does. Error messages never quote the input.
 */
final class RegistryAuthInput {
  /** Far more than any set of credentials: a runaway producer is an error, not a heap. */
  static final int MAX_BYTES = 1 << 20;
  private static final String EXPECTED = "expected {\"auths\":{\"HOST\":{\"username\":\"…\","
      + "\"password\":\"…\"}}}";

  private RegistryAuthInput() {}

  /**
   * Reads all of {@code in} and returns the credentials by registry ({@code host[:port]}).
   *
   * @throws IOException "Tried to read registry credentials from stdin ... but failed because"
   *     the input is empty, too large, not JSON or not of the expected shape; never quoting it
   */
  static Map<String, Credential> read(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw failed("it is larger than " + MAX_BYTES + " bytes");
    }
    if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      throw failed("stdin was empty; " + EXPECTED);
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(bytes);
    } catch (JsonProcessingException e) {
      // Jackson's own message quotes the offending token, which may be a password.
      var at = e.getLocation();
      throw failed("it is not valid JSON"
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
          + "; " + EXPECTED);
    }
    JsonNode auths = root == null ? null : root.get("auths");
    if (auths == null || !auths.isObject()) {
      throw failed("it has no \"auths\" object; " + EXPECTED);
    }
    Map<String, Credential> credentials = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      credentials.put(entry.getKey(), credential(entry.getKey(), entry.getValue()));
    }
    return Map.copyOf(credentials);
  }

  private static Credential credential(String registry, JsonNode node) throws IOException {
    if (node == null || !node.isObject()) {
      throw failed("the entry of " + registry + " is not an object; " + EXPECTED);
    }
    JsonNode auth = node.get("auth");
    if (auth != null && auth.isTextual() && !auth.asText().isEmpty()) {
      try {
        return Credential.fromDockerAuth(auth.asText());
      } catch (IllegalArgumentException e) {
        throw failed("the entry of " + registry + ": " + e.getMessage());
      }
    }
    JsonNode user = node.get("username");
    JsonNode password = node.get("password");
    if (user == null || !user.isTextual() || user.asText().isEmpty() || password == null
        || !password.isTextual()) {
      throw failed("the entry of " + registry + " needs a \"username\" and a \"password\" "
          + "string (or \"auth\")");
    }
    return new Credential(user.asText(), password.asText());
  }

  private static IOException failed(String reason) {
    return new IOException("Tried to read registry credentials from stdin "
        + "(--registry-auth-stdin) but failed because: " + reason);
  }
}
