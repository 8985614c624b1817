package dev.jbuild.registry.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS through the JDK transport: a self-signed server is refused by the default executor and
 * accepted by the one for insecure registries; PATCH with a streamed body works over TLS too.
 */
class TlsTransportTest {
  @TempDir Path directory;

  @Test
  void selfSignedServer_refusedByDefault_acceptedWhenInsecure() throws Exception {
    HttpsServer server = startSelfSigned();
    try {
      URI url = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/v2/x");
      HttpExecutor strict = HttpExecutor.create(Duration.ofSeconds(5), Duration.ofSeconds(5), "t");
      assertThrows(SSLHandshakeException.class, () -> strict.execute(Request.get(url)).close());

      HttpExecutor insecure = HttpExecutor.createTrustingAllCertificates(
          Duration.ofSeconds(5), Duration.ofSeconds(5), "t");
      byte[] body = new byte[300_000];
      new java.util.Random(1).nextBytes(body);
      try (Response response =
          insecure.execute(Request.patch(url, RequestBody.of(body, "application/octet-stream")))) {
        assertEquals(202, response.statusCode());
        assertArrayEquals(body, response.readBody(1 << 20));
      }
    } finally {
      server.stop(0);
    }
  }

  /** An HTTPS server with a keytool-made self-signed certificate that echoes request bodies. */
  private HttpsServer startSelfSigned() throws Exception {
    Path keystore = directory.resolve("tls.p12");
    Process p = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
        "-alias", "tls", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("keytool failed: " + out);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance("SunX509");
    keys.init(store, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(context));
    server.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(202, body.length == 0 ? -1 : body.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(body);
      }
    });
    server.start();
    return server;
  }
}
