package dev.jbuild.registry.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A token service for docker-registry's {@code auth.token} mode (distribution
 * {@code docs/spec/auth/token.md}, {@code jwt.md}): it checks user names and passwords (Basic on
 * {@code GET}, the OAuth2 password grant on {@code POST}) and signs RS256 JWTs with a keytool-made
 * key whose certificate the registry trusts. Users get the scopes they ask for, except that
 * read-only users only ever get {@code pull}.
 */
public final class TokenServer implements AutoCloseable {
  public static final String SERVICE = "jbuild-test-registry";
  public static final String ISSUER = "jbuild-test-issuer";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrivateKey signingKey;
  private final String certificateBase64;
  private final Path rootCertBundle;
  private final FakeServer server;
  private final Map<String, String> passwords = new ConcurrentHashMap<>();
  private final Set<String> readOnly = ConcurrentHashMap.newKeySet();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  /** Creates a signing key in {@code directory} and starts serving on 127.0.0.1. */
  public TokenServer(Path directory) throws Exception {
    Files.createDirectories(directory);
    Path keystore = directory.resolve("token.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "token",
        "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=jbuild token signer",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("keytool failed: " + out);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, "changeit".toCharArray());
    }
    signingKey = (PrivateKey) store.getKey("token", "changeit".toCharArray());
    certificateBase64 =
        Base64.getEncoder().encodeToString(store.getCertificate("token").getEncoded());
    rootCertBundle = directory.resolve("root.pem");
    Files.writeString(rootCertBundle, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
            Base64.getDecoder().decode(certificateBase64))
        + "\n-----END CERTIFICATE-----\n");
    server = new FakeServer(this::issue);
  }

  /** Adds a user; read-only users are granted pull only. */
  public TokenServer user(String name, String password, boolean pullOnly) {
    passwords.put(name, password);
    if (pullOnly) {
      readOnly.add(name);
    }
    return this;
  }

  /** The realm to configure in the registry. */
  public String realm() {
    return "http://" + server.address() + "/token";
  }

  /** The PEM bundle the registry must trust. */
  public Path rootCertBundle() {
    return rootCertBundle;
  }

  /** Starts a docker-registry that accepts this server's tokens. */
  public LocalRegistry startRegistry(Path directory) throws IOException, InterruptedException {
    return LocalRegistry.startWithTokenAuth(directory, realm(), SERVICE, ISSUER, rootCertBundle);
  }

  /** {@code METHOD user scope…} for every token issued or refused. */
  public List<String> requests() {
    return requests;
  }

  private void issue(HttpExchange exchange) throws IOException {
    String user = null;
    List<String> scopes = new ArrayList<>();
    if (exchange.getRequestMethod().equals("POST")) {
      Map<String, String> form = new LinkedHashMap<>();
      for (String pair : new String(server.lastBody(), StandardCharsets.UTF_8).split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      if ("password".equals(form.get("grant_type"))
          && form.getOrDefault("password", "").equals(passwords.get(form.get("username")))) {
        user = form.get("username");
      }
      if (form.containsKey("scope") && !form.get("scope").isEmpty()) {
        scopes.addAll(List.of(form.get("scope").split(" ")));
      }
    } else {
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (authorization != null && authorization.startsWith("Basic ")) {
        String decoded = new String(Base64.getDecoder().decode(authorization.substring(6)),
            StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        String name = decoded.substring(0, colon);
        if (decoded.substring(colon + 1).equals(passwords.get(name))) {
          user = name;
        }
      }
      String query = exchange.getRequestURI().getRawQuery();
      for (String param : query == null ? new String[0] : query.split("&")) {
        if (param.startsWith("scope=")) {
          scopes.add(URLDecoder.decode(param.substring(6), StandardCharsets.UTF_8));
        }
      }
    }
    requests.add(exchange.getRequestMethod() + " " + user + " " + scopes);
    if (user == null) {
      FakeServer.respond(exchange, 401, Map.of(), new byte[0]);
      return;
    }
    List<Map<String, Object>> access = new ArrayList<>();
    for (String scope : scopes) {
      int first = scope.indexOf(':');
      int last = scope.lastIndexOf(':');
      List<String> actions = new ArrayList<>(List.of(scope.substring(last + 1).split(",")));
      if (readOnly.contains(user)) {
        actions.retainAll(List.of("pull"));
      }
      access.add(Map.of("type", scope.substring(0, first),
          "name", scope.substring(first + 1, last), "actions", actions));
    }
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", ISSUER);
    claims.put("sub", user);
    claims.put("aud", SERVICE);
    claims.put("exp", now + 300);
    claims.put("nbf", now - 10);
    claims.put("iat", now);
    claims.put("jti", UUID.randomUUID().toString());
    claims.put("access", access);
    Map<String, Object> header = Map.of("typ", "JWT", "alg", "RS256",
        "x5c", List.of(certificateBase64));
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String signingInput = url.encodeToString(JSON.writeValueAsBytes(header)) + "."
        + url.encodeToString(JSON.writeValueAsBytes(claims));
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(signingKey);
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      String jwt = signingInput + "." + url.encodeToString(rsa.sign());
      // distribution's token server answers both names; so do we.
      FakeServer.respond(exchange, 200, Map.of("Content-Type", "application/json"),
          JSON.writeValueAsBytes(Map.of("token", jwt, "access_token", jwt, "expires_in", 300)));
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
