package dev.jbuild.builder.cli;

import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.registry.auth.Credential;
import dev.jbuild.registry.auth.DockerConfigCredentials;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild login [-u USER] [--password-stdin] [SERVER]}, like {@code docker login}: checks
 * the credentials against the registry's {@code /v2/} (authenticating as a push or pull would),
 * then saves them in Docker's {@code config.json} ({@code $DOCKER_CONFIG}, else
 * {@code ~/.docker}), through the configured credential helper if any, else in the file with mode
 * 0600. Nothing is saved if the registry rejects them.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
    description = "Log in to a registry (default: Docker Hub).")
final class LoginCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER") String server;

  @Option(names = {"-u", "--username"}, paramLabel = "USER") String username;

  @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD",
      description = "Password (insecure: prefer --password-stdin).")
  String password;

  @Option(names = "--password-stdin", description = "Read the password from stdin.")
  boolean passwordStdin;

  @Override
  public Integer call() throws Exception {
    String registry = normalize(server);
    if (passwordStdin && main.registryAuthStdin) {
      throw new IllegalArgumentException("--password-stdin and --registry-auth-stdin cannot "
          + "share stdin");
    }
    if (password != null && passwordStdin) {
      throw new IllegalArgumentException("--password and --password-stdin are mutually exclusive");
    }
    if (password != null) {
      System.err.println("WARNING! Using --password via the CLI is insecure. Use"
          + " --password-stdin.");
    }
    Console console = System.console();
    if (username == null || username.isEmpty()) {
      if (passwordStdin || console == null) {
        throw new IllegalArgumentException("Must provide --username with --password-stdin or"
            + " without a terminal");
      }
      username = console.readLine("Username: ");
    }
    String secret = password;
    if (passwordStdin) {
      secret = readStdin();
    } else if (secret == null) {
      if (console == null) {
        throw new IllegalArgumentException("Cannot read a password without a terminal; use"
            + " --password-stdin");
      }
      char[] typed = console.readPassword("Password: ");
      secret = typed == null ? "" : new String(typed);
    }
    if (username.isBlank() || secret.isEmpty()) {
      throw new IllegalArgumentException("Error: user name and password are required");
    }
    Credential credential = new Credential(username.strip(), secret);
    Session session = Session.open(main);
    RegistryOptions options = session.registryOptions().withCredential(registry, credential);
    RegistryClient.create(registry, "", options).checkLogin();
    Path configDirectory = options.dockerConfigDirectory();
    String where = DockerConfigCredentials.store(configDirectory, registry, credential);
    if (where.endsWith("config.json")) {
      System.err.println("WARNING! Your password will be stored unencrypted in " + where + ".");
    }
    System.out.println("Login Succeeded");
    return 0;
  }

  /** The password as docker reads it: all of stdin minus trailing newlines. */
  private static String readStdin() throws IOException {
    InputStream in = System.in;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    in.transferTo(buffer);
    return buffer.toString(StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", "");
  }

  /**
   * docker login accepts {@code host[:port]}, a URL ({@code https://host/v1/}) or nothing (Docker
   * Hub); the registry is the host part.
   */
  static String normalize(String server) {
    if (server == null || server.isBlank()) {
      return "docker.io";
    }
    String s = server.trim();
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    s = s.toLowerCase(Locale.ROOT);
    if (s.equals("index.docker.io") || s.equals("registry-1.docker.io")) {
      return "docker.io";
    }
    return s;
  }
}
