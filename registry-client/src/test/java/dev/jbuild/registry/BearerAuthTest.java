package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.registry.auth.Credential;
import dev.jbuild.registry.testing.FakeServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Bearer token flow and content checks against scripted servers: docker-registry 2.8's token
 * auth needs a JWT-signing token service, and a real registry never serves corrupt content.
 */
class BearerAuthTest {
  private static final byte[] MANIFEST =
      ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{}}")
          .getBytes(StandardCharsets.UTF_8);
  private static final Credential CREDENTIAL = new Credential("alice", "pa55");

  private FakeServer tokenServer;
  private FakeServer storage;
  private final byte[] blob = "the blob content".getBytes(StandardCharsets.UTF_8);
  private byte[] servedBlob = blob;
  private String manifestDigestHeader = Digest.sha256(MANIFEST).toString();

  private static RegistryOptions options() {
    return RegistryOptions.defaults().withDockerConfigDirectory(null);
  }

  /** What the token endpoint answers to OAuth2 POSTs: 404 like GCR, or 200 with a token. */
  private int postStatus = 404;

  private void token(HttpExchange e) throws IOException {
    if (e.getRequestMethod().equals("POST")) {
      if (postStatus != 200) {
        FakeServer.respond(e, postStatus, Map.of(), new byte[0]);
        return;
      }
      String form = tokenServer.lastBody().length == 0 ? ""
          : new String(tokenServer.lastBody(), StandardCharsets.UTF_8);
      boolean password = form.contains("grant_type=password&username=alice&password=pa55&");
      boolean refresh = form.contains("grant_type=refresh_token&refresh_token=refresh-1&");
      if (!password && !refresh) {
        FakeServer.respond(e, 401, Map.of(), new byte[0]);
        return;
      }
      FakeServer.respond(e, 200, Map.of("Content-Type", "application/json"),
          ("{\"access_token\":\"oauth\",\"expires_in\":300,\"refresh_token\":\"refresh-1\"}")
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    String auth = e.getRequestHeaders().getFirst("Authorization");
    if (auth != null && !auth.equals(CREDENTIAL.basicAuthorization())) {
      FakeServer.respond(e, 401, Map.of(), new byte[0]);
      return;
    }
    String query = e.getRequestURI().getRawQuery();
    String token = (auth == null ? "anon:" : "alice:") + query;
    FakeServer.respond(e, 200, Map.of("Content-Type", "application/json"),
        ("{\"access_token\":\"" + token.replace("\"", "") + "\",\"expires_in\":300}")
            .getBytes(StandardCharsets.UTF_8));
  }

  private void registry(HttpExchange e, String registryAddress) throws IOException {
    String auth = e.getRequestHeaders().getFirst("Authorization");
    String path = e.getRequestURI().getPath();
    String challenge = "Bearer realm=\"http://" + tokenServer.address() + "/token\","
        + "service=\"fake-registry\"";
    if (auth == null || !auth.startsWith("Bearer ")) {
      FakeServer.respond(e, 401, Map.of("WWW-Authenticate", challenge,
          "Content-Type", "application/json"),
          "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (path.contains("/manifests/")) {
      FakeServer.respond(e, 200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST,
          "Docker-Content-Digest", manifestDigestHeader), MANIFEST);
    } else if (path.contains("/blobs/")) {
      FakeServer.respond(e, 307,
          Map.of("Location", "http://" + storage.address() + "/bucket/blob?X-Signature=s"),
          new byte[0]);
    } else {
      FakeServer.respond(e, 404, Map.of(), new byte[0]);
    }
  }

  private interface Body {
    void run(String registryAddress, FakeServer registry) throws Exception;
  }

  private void withServers(Body body) throws Exception {
    try (FakeServer tokens = new FakeServer(this::token);
        FakeServer blobs = new FakeServer(e -> FakeServer.respond(e, 200, Map.of(), servedBlob))) {
      tokenServer = tokens;
      storage = blobs;
      String[] address = new String[1];
      try (FakeServer registry = new FakeServer(e -> registry(e, address[0]))) {
        address[0] = registry.address();
        body.run(registry.address(), registry);
      }
    }
  }

  @Test
  void pullManifest_withCredentials_getsAScopedTokenOnceAndReusesIt() throws Exception {
    withServers((address, registry) -> {
      RegistryClient client = RegistryClient.create(address, "team/app",
          options().withCredential(address, CREDENTIAL));
      assertArrayEquals(MANIFEST, client.pullManifest("v1").bytes());
      assertArrayEquals(MANIFEST, client.pullManifest("v1").bytes());

      // OAuth2 POST first (containerd's order); its 404 means "GET only" for this server.
      assertEquals(2, tokenServer.requests().size());
      assertEquals("POST", tokenServer.requests().get(0).method());
      FakeServer.Recorded tokenRequest = tokenServer.requests().get(1);
      assertEquals("/token?service=fake-registry&scope=repository%3Ateam%2Fapp%3Apull",
          tokenRequest.pathAndQuery());
      assertEquals(CREDENTIAL.basicAuthorization(), tokenRequest.authorization());
      List<String> registryAuth = registry.requests().stream()
          .map(FakeServer.Recorded::authorization).collect(Collectors.toList());
      String bearer = "Bearer alice:service=fake-registry&scope=repository%3Ateam%2Fapp%3Apull";
      assertEquals(java.util.Arrays.asList(null, bearer, bearer), registryAuth);
    });
  }

  @Test
  void pullManifest_anonymous_getsAnAnonymousToken() throws Exception {
    withServers((address, registry) -> {
      RegistryClient client = RegistryClient.create(address, "library/busybox", options());
      client.pullManifest("v1");
      assertNull(tokenServer.requests().get(0).authorization());
    });
  }

  @Test
  void wrongCredentials_atTheTokenServer_isUnauthorized() throws Exception {
    withServers((address, registry) -> {
      RegistryClient client = RegistryClient.create(address, "team/app",
          options().withCredential(address, new Credential("alice", "wrong")));
      RegistryUnauthorizedException e =
          assertThrows(RegistryUnauthorizedException.class, () -> client.pullManifest("v1"));
      assertEquals("Tried to pull manifest " + address + "/team/app:v1 but failed because: the"
          + " token server 127.0.0.1 answered 401 to a request for repository:team/app:pull"
          + " (check the credentials for " + address + ")", e.getMessage());
    });
  }

  @Test
  void pullBlob_redirectedToStorage_sendsNoCredentialsThere() throws Exception {
    withServers((address, registry) -> {
      RegistryClient client = RegistryClient.create(address, "team/app",
          options().withCredential(address, CREDENTIAL));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      client.pullBlob(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(blob), blob.length),
          out);
      assertArrayEquals(blob, out.toByteArray());
      assertEquals(1, storage.requests().size());
      assertNull(storage.requests().get(0).authorization());
      assertEquals("/bucket/blob?X-Signature=s", storage.requests().get(0).pathAndQuery());
    });
  }

  @Test
  void pullBlob_corruptContentOfTheRightSize_failsVerification() throws Exception {
    withServers((address, registry) -> {
      servedBlob = blob.clone();
      servedBlob[0] ^= 1;
      RegistryClient client = RegistryClient.create(address, "team/app", options());
      Digest digest = Digest.sha256(blob);
      ContentVerificationException e = assertThrows(ContentVerificationException.class,
          () -> client.pullBlob(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, digest, blob.length),
              new ByteArrayOutputStream()));
      assertEquals("Tried to pull blob " + digest + " from " + address + "/team/app but failed"
          + " because: the content's digest is " + Digest.sha256(servedBlob), e.getMessage());
    });
  }

  @Test
  void pullManifest_digestHeaderDisagreesWithTheBytes_fails() throws Exception {
    withServers((address, registry) -> {
      manifestDigestHeader = Digest.sha256("other").toString();
      RegistryClient client = RegistryClient.create(address, "team/app", options());
      ContentVerificationException e =
          assertThrows(ContentVerificationException.class, () -> client.pullManifest("v1"));
      assertTrue(e.getMessage().contains("the registry says its digest is "
          + Digest.sha256("other")), e.getMessage());
    });
  }

  @Test
  void pullManifest_byDigest_contentOfAnotherDigest_fails() throws Exception {
    withServers((address, registry) -> {
      RegistryClient client = RegistryClient.create(address, "team/app", options());
      // The fake answers every manifest path with the same bytes, whatever digest is asked for.
      Digest other = Digest.sha256("x");
      ContentVerificationException e = assertThrows(ContentVerificationException.class,
          () -> client.pullManifest(other.toString()));
      assertEquals("Tried to pull manifest " + address + "/team/app@" + other + " but failed"
          + " because: the registry sent content with digest " + Digest.sha256(MANIFEST),
          e.getMessage());
    });
  }

  @Test
  void oauthPost_passwordGrant_thenRefreshTokenGrant() throws Exception {
    postStatus = 200;
    withServers((address, registry) -> {
      RegistryClient client = RegistryClient.create(address, "team/app",
          options().withCredential(address, CREDENTIAL));
      client.pullManifest("v1");
      client.pushManifest("v2", MANIFEST, MediaTypes.OCI_MANIFEST);

      List<FakeServer.Recorded> requests = tokenServer.requests();
      assertTrue(requests.stream().allMatch(r -> r.method().equals("POST")), requests.toString());
      assertEquals("grant_type=password&username=alice&password=pa55&service=fake-registry"
          + "&client_id=jbuild&scope=repository%3Ateam%2Fapp%3Apull", requests.get(0).bodyText());
      assertNull(requests.get(0).authorization());
      // The refresh token from the first answer replaces the password afterwards.
      assertEquals("grant_type=refresh_token&refresh_token=refresh-1&service=fake-registry"
          + "&client_id=jbuild&scope=repository%3Ateam%2Fapp%3Apull%2Cpush",
          requests.get(requests.size() - 1).bodyText());
    });
  }

  @Test
  void identityToken_usesTheRefreshTokenGrant_andNeverBasic() throws Exception {
    postStatus = 200;
    withServers((address, registry) -> {
      RegistryClient client = RegistryClient.create(address, "team/app",
          options().withCredential(address, Credential.identityToken("refresh-1")));
      client.pullManifest("v1");
      FakeServer.Recorded post = tokenServer.requests().get(0);
      assertTrue(post.bodyText().startsWith("grant_type=refresh_token&refresh_token=refresh-1&"),
          post.bodyText());
      assertNull(post.authorization());
    });
  }

  @Test
  void oauthPost_405_fallsBackToGetOnlyWithAUserName() throws Exception {
    postStatus = 405;
    withServers((address, registry) -> {
      RegistryClient withUser = RegistryClient.create(address, "team/app",
          options().withCredential(address, CREDENTIAL));
      withUser.pullManifest("v1");
      assertEquals(List.of("POST", "GET"), tokenServer.requests().stream()
          .map(FakeServer.Recorded::method).collect(Collectors.toList()));

      RegistryClient withToken = RegistryClient.create(address, "team/app",
          options().withCredential(address, Credential.identityToken("refresh-1")));
      RegistryUnauthorizedException e =
          assertThrows(RegistryUnauthorizedException.class, () -> withToken.pullManifest("v1"));
      assertTrue(e.getMessage().contains("answered 405"), e.getMessage());
    });
  }
}
