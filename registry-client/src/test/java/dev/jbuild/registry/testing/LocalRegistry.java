package dev.jbuild.registry.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real {@code /usr/bin/docker-registry} (distribution 2.8) serving on 127.0.0.1 with a
 * free port and a scratch storage directory, optionally with htpasswd Basic auth.
 *
 * <p>A missing binary is a test failure, not a skip: CI installs it.
 */
public final class LocalRegistry implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/docker-registry");

  private final Process process;
  private final int port;
  private final Path log;

  private LocalRegistry(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts an anonymous registry. */
  public static LocalRegistry start(Path directory) throws IOException, InterruptedException {
    return start(directory, null);
  }

  /**
   * Starts a registry that accepts only bearer tokens from {@code realm}, signed by the key of the
   * certificate in {@code rootCertBundle} (distribution's {@code auth.token}).
   */
  public static LocalRegistry startWithTokenAuth(Path directory, String realm, String service,
      String issuer, Path rootCertBundle) throws IOException, InterruptedException {
    return start(directory, "auth:\n  token: {realm: \"" + realm + "\", service: " + service
        + ", issuer: " + issuer + ", rootcertbundle: " + rootCertBundle + "}\n");
  }

  /** Starts a registry that requires {@code user}/{@code password} (bcrypt htpasswd). */
  public static LocalRegistry startWithBasicAuth(Path directory, String user, String password)
      throws IOException, InterruptedException {
    Files.createDirectories(directory);
    Path htpasswd = directory.resolve("htpasswd");
    Files.writeString(htpasswd, user + ":" + bcrypt(password) + "\n");
    return start(directory,
        "auth:\n  htpasswd: {realm: basic-realm, path: " + htpasswd + "}\n");
  }

  private static LocalRegistry start(Path directory, String authYaml)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError(BINARY + " is missing: registry tests need Debian's docker-registry"
          + " package (apt-get install docker-registry)");
    }
    Files.createDirectories(directory);
    int port = freePort();
    StringBuilder config = new StringBuilder()
        .append("version: 0.1\n")
        .append("log: {level: info, fields: {service: registry}}\n")
        .append("storage:\n")
        .append("  filesystem: {rootdirectory: ").append(directory.resolve("data")).append("}\n")
        .append("  delete: {enabled: true}\n")
        .append("  cache: {blobdescriptor: inmemory}\n")
        .append("http:\n")
        .append("  addr: 127.0.0.1:").append(port).append('\n')
        .append("  secret: loopback-test-secret\n");
    if (authYaml != null) {
      config.append(authYaml);
    }
    Path configFile = directory.resolve("config.yml");
    Files.writeString(configFile, config);
    Path log = directory.resolve("registry.log");
    Process process = new ProcessBuilder(BINARY.toString(), "serve", configFile.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    LocalRegistry registry = new LocalRegistry(process, port, log);
    try {
      registry.awaitUp(Duration.ofSeconds(20));
    } catch (IOException | RuntimeException | Error e) {
      registry.close();
      throw e;
    }
    return registry;
  }

  /** The registry as {@code host:port}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** The registry's log so far, for assertion messages. */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  private void awaitUp(Duration timeout) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("docker-registry exited with " + process.exitValue() + ":\n"
            + log());
      }
      try {
        HttpURLConnection connection =
            (HttpURLConnection) new URL("http://" + address() + "/v2/").openConnection();
        connection.setConnectTimeout(500);
        connection.setReadTimeout(2000);
        int status = connection.getResponseCode();
        connection.disconnect();
        if (status == 200 || status == 401) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError("docker-registry did not answer on " + address() + " within "
        + timeout + ":\n" + log());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A port that was free a moment ago, on 127.0.0.1. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** A bcrypt hash as htpasswd needs; distribution ignores other hash types. */
  static String bcrypt(String password) throws IOException, InterruptedException {
    // Debian's python3 (3.11) still has the crypt module; JDK has no bcrypt.
    for (String python : List.of("/usr/bin/python3", "python3")) {
      try {
        Process p = new ProcessBuilder(python, "-W", "ignore", "-c",
            "import crypt,sys;print(crypt.crypt(sys.argv[1],crypt.mksalt(crypt.METHOD_BLOWFISH)))",
            password).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() == 0 && out.startsWith("$2")) {
          return out;
        }
      } catch (IOException e) {
        // try the next interpreter
      }
    }
    throw new AssertionError("cannot make a bcrypt hash: need python3 with the crypt module");
  }
}
