package dev.jbuild.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Docker credential helper, the program {@code docker-credential-<suffix>} on {@code PATH}
 * (docker/docker-credential-helpers protocol): {@code get} reads a server URL on stdin and prints
 * {@code {"ServerURL","Username","Secret"}}; {@code store} reads that JSON; {@code erase} reads
 * the server URL. A user name of {@code <token>} marks the secret as an identity token.
 *
 * <p>Secrets travel only through the helper's stdin and stdout, never its command line or our
 * logs.
 */
public final class CredentialHelper {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 60;

  private final String suffix;

  /** The helper {@code docker-credential-<suffix>}. */
  public CredentialHelper(String suffix) {
    if (suffix.isEmpty() || suffix.contains("/")) {
      throw new IllegalArgumentException("invalid credential helper name '" + suffix + "'");
    }
    this.suffix = suffix;
  }

  /** {@code docker-credential-<suffix>}. */
  public String program() {
    return "docker-credential-" + suffix;
  }

  /**
   * The credential stored for {@code serverUrl}, or empty if the helper has none.
   *
   * @throws IOException if the helper cannot be run or fails for another reason
   */
  public Optional<Credential> get(String serverUrl) throws IOException {
    Result result = run("get", serverUrl);
    if (result.exitCode != 0) {
      if (result.output.toLowerCase(java.util.Locale.ROOT).contains("credentials not found")) {
        return Optional.empty();
      }
      throw failure("get credentials for " + serverUrl, result);
    }
    JsonNode json;
    try {
      json = JSON.readTree(result.output);
    } catch (IOException e) {
      throw new IOException("Tried to get credentials for " + serverUrl + " from " + program()
          + " but failed because: it printed something other than JSON");
    }
    String user = json.path("Username").asText("");
    String secret = json.path("Secret").asText("");
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    if (user.isEmpty() || user.equals(Credential.IDENTITY_TOKEN_USER)) {
      return Optional.of(Credential.identityToken(secret));
    }
    return Optional.of(new Credential(user, secret));
  }

  /**
   * Stores {@code credential} for {@code serverUrl}.
   *
   * @throws IOException if the helper cannot be run or refuses
   */
  public void store(String serverUrl, Credential credential) throws IOException {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("ServerURL", serverUrl);
    body.put("Username", credential.username());
    body.put("Secret", credential.password());
    Result result = run("store", JSON.writeValueAsString(body));
    if (result.exitCode != 0) {
      throw failure("store credentials for " + serverUrl, result);
    }
  }

  /**
   * Erases the credential for {@code serverUrl}; a missing one is not an error.
   *
   * @throws IOException if the helper cannot be run or fails
   */
  public void erase(String serverUrl) throws IOException {
    Result result = run("erase", serverUrl);
    if (result.exitCode != 0
        && !result.output.toLowerCase(java.util.Locale.ROOT).contains("not found")) {
      throw failure("erase credentials for " + serverUrl, result);
    }
  }

  private record Result(int exitCode, String output) {}

  private IOException failure(String action, Result result) {
    // The helper's output may echo what it was given; show only its first line.
    String first = result.output.strip().lines().findFirst().orElse("");
    return new IOException("Tried to " + action + " with " + program() + " but failed because:"
        + " it exited with " + result.exitCode + (first.isEmpty() || first.startsWith("{") ? ""
            : " (" + first + ")"));
  }

  private Result run(String command, String input) throws IOException {
    Process process;
    try {
      process = new ProcessBuilder(program(), command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("Tried to run the credential helper " + program() + " but failed"
          + " because: it is not on PATH (" + e.getMessage() + ")", e);
    }
    CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
      try (InputStream in = process.getInputStream()) {
        return in.readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    });
    try (OutputStream in = process.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The helper may exit without reading stdin; its exit code tells.
    }
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("Tried to run " + program() + " " + command + " but failed"
            + " because: it did not finish within " + TIMEOUT_SECONDS + " s");
      }
      return new Result(process.exitValue(),
          new String(output.get(), StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while running " + program());
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e.getCause());
    }
  }
}
