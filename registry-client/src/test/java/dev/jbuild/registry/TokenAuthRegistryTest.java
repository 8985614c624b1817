package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.auth.Credential;
import dev.jbuild.registry.testing.FakeServer;
import dev.jbuild.registry.testing.InMemoryBlobSink;
import dev.jbuild.registry.testing.LocalRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Bearer flow against a real docker-registry 2.8 configured for token auth. The token service
 * is the test's: it checks a Basic credential and signs RS256 JWTs with a keytool-made key whose
 * certificate the registry trusts, granting exactly the requested scopes.
 */
@Tag("registry")
class TokenAuthRegistryTest {
  private static final String SERVICE = "jbuild-test-registry";
  private static final String ISSUER = "jbuild-test-issuer";
  private static final Credential CREDENTIAL = new Credential("bob", "t0ken-pass");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path directory;
  private static PrivateKey signingKey;
  private static String certificateBase64;
  private static FakeServer tokenServer;
  private static LocalRegistry registry;
  private static final List<String> grantedScopes = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    createSigningKey();
    Path bundle = directory.resolve("root.pem");
    Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
            Base64.getDecoder().decode(certificateBase64))
        + "\n-----END CERTIFICATE-----\n");
    tokenServer = new FakeServer(TokenAuthRegistryTest::issueToken);
    registry = LocalRegistry.startWithTokenAuth(directory.resolve("registry"),
        "http://" + tokenServer.address() + "/token", SERVICE, ISSUER, bundle);
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (tokenServer != null) {
      tokenServer.close();
    }
  }

  private static void createSigningKey() throws Exception {
    Path keystore = directory.resolve("token.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "token",
        "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=jbuild token signer",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, "changeit".toCharArray());
    }
    signingKey = (PrivateKey) store.getKey("token", "changeit".toCharArray());
    Certificate certificate = store.getCertificate("token");
    certificateBase64 = Base64.getEncoder().encodeToString(certificate.getEncoded());
  }

  /** distribution {@code docs/spec/auth/jwt.md}: an RS256 JWT with an x5c header. */
  private static void issueToken(HttpExchange exchange) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (!CREDENTIAL.basicAuthorization().equals(authorization)) {
      FakeServer.respond(exchange, 401, Map.of(), new byte[0]);
      return;
    }
    List<Map<String, Object>> access = new ArrayList<>();
    String query = exchange.getRequestURI().getRawQuery();
    for (String param : query == null ? new String[0] : query.split("&")) {
      if (!param.startsWith("scope=")) {
        continue;
      }
      String scope = URLDecoder.decode(param.substring(6), StandardCharsets.UTF_8);
      grantedScopes.add(scope);
      int first = scope.indexOf(':');
      int last = scope.lastIndexOf(':');
      access.add(Map.of("type", scope.substring(0, first),
          "name", scope.substring(first + 1, last),
          "actions", List.of(scope.substring(last + 1).split(","))));
    }
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", ISSUER);
    claims.put("sub", CREDENTIAL.username());
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
      FakeServer.respond(exchange, 200, Map.of("Content-Type", "application/json"),
          JSON.writeValueAsBytes(Map.of("token", jwt, "expires_in", 300)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  private static RegistryOptions options(Credential credential) {
    RegistryOptions options = RegistryOptions.defaults().withDockerConfigDirectory(null);
    return credential == null ? options : options.withCredential(registry.address(), credential);
  }

  @Test
  void pushPullAndMount_withBearerTokens() throws Exception {
    byte[] layer = "token-protected layer".getBytes(StandardCharsets.UTF_8);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
        + "\"diff_ids\":[\"" + Digest.sha256(layer) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    Descriptor l = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(layer), layer.length);
    Descriptor c = Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.sha256(config), config.length);
    Map<Digest, byte[]> local = Map.of(l.digest(), layer, c.digest(), config);
    byte[] manifest = OciJson.toBytes(ImageManifest.docker(c, List.of(l)));
    ImageReference target = ImageReference.parse(registry.address() + "/secure/app:v1");

    PushResult pushed = ImagePusher.create(options(CREDENTIAL), ProgressListener.NONE)
        .push(target, manifest, MediaTypes.DOCKER_MANIFEST, d -> BlobSource.of(local.get(d)));
    assertEquals(2, pushed.blobsUploaded());
    assertTrue(grantedScopes.contains("repository:secure/app:pull,push"), grantedScopes.toString());

    InMemoryBlobSink sink = new InMemoryBlobSink();
    PullResult pulled = ImagePuller.create(options(CREDENTIAL), ProgressListener.NONE)
        .pull(target, Platform.parse("linux/amd64"), sink);
    assertEquals(pushed.digest(), pulled.manifestDigest());
    assertArrayEquals(layer, sink.get(l.digest()));
    assertTrue(grantedScopes.contains("repository:secure/app:pull"), grantedScopes.toString());

    RegistryClient other = RegistryClient.create(registry.address(), "secure/copy",
        options(CREDENTIAL));
    assertTrue(other.mountBlob(l.digest(), "secure/app"));
    assertTrue(other.checkBlob(l.digest()).isPresent());
  }

  @Test
  void withoutCredentials_theTokenServerRefuses() {
    RegistryClient client = RegistryClient.create(registry.address(), "secure/app", options(null));
    RegistryUnauthorizedException e = assertThrows(RegistryUnauthorizedException.class,
        () -> client.pullManifest("v1"));
    assertEquals("Tried to pull manifest " + registry.address() + "/secure/app:v1 but failed"
        + " because: the token server 127.0.0.1 answered 401 to a request for"
        + " repository:secure/app:pull (no credentials are configured for " + registry.address()
        + ")", e.getMessage());
  }
}
