package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.oci.Digest;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegistryUrlsTest {
  private static final Digest D = Digest.sha256("x");

  @Test
  void baseUri_loopbackAndInsecure_usePlainHttp() {
    assertEquals(URI.create("http://localhost:5000"), RegistryUrls.baseUri("localhost:5000", Set.of()));
    assertEquals(URI.create("http://localhost"), RegistryUrls.baseUri("localhost", Set.of()));
    assertEquals(URI.create("http://127.0.0.1:5055"), RegistryUrls.baseUri("127.0.0.1:5055", Set.of()));
    assertEquals(URI.create("http://127.1.2.3"), RegistryUrls.baseUri("127.1.2.3", Set.of()));
    assertEquals(URI.create("http://[::1]:5000"), RegistryUrls.baseUri("[::1]:5000", Set.of()));
    assertEquals(URI.create("http://reg.lan:5000"),
        RegistryUrls.baseUri("reg.lan:5000", Set.of("reg.lan:5000")));
  }

  @Test
  void baseUri_otherRegistries_useHttps() {
    assertEquals(URI.create("https://ghcr.io"), RegistryUrls.baseUri("ghcr.io", Set.of()));
    assertEquals(URI.create("https://reg.lan:5000"),
        RegistryUrls.baseUri("reg.lan:5000", Set.of("reg.lan")));
    assertEquals(URI.create("https://127.example.com"),
        RegistryUrls.baseUri("127.example.com", Set.of()));
    assertEquals(URI.create("https://localhost.example"),
        RegistryUrls.baseUri("localhost.example", Set.of()));
  }

  @Test
  void baseUri_dockerHub_usesItsApiHost() {
    assertEquals(URI.create("https://registry-1.docker.io"),
        RegistryUrls.baseUri("docker.io", Set.of()));
  }

  @Test
  void isLoopback_rejectsLookalikes() {
    assertTrue(RegistryUrls.isLoopback("127.0.0.1"));
    assertFalse(RegistryUrls.isLoopback("127.0.0.256"));
    assertFalse(RegistryUrls.isLoopback("127.0.0"));
    assertFalse(RegistryUrls.isLoopback("128.0.0.1"));
    assertFalse(RegistryUrls.isLoopback("[::2]:5000"));
  }

  @Test
  void endpoints_followTheDistributionLayout() {
    RegistryUrls urls = new RegistryUrls(URI.create("http://127.0.0.1:5000"), "a/b");
    assertEquals("http://127.0.0.1:5000/v2/a/b/blobs/" + D, urls.blob(D).toString());
    assertEquals("http://127.0.0.1:5000/v2/a/b/manifests/v1", urls.manifest("v1").toString());
    assertEquals("http://127.0.0.1:5000/v2/a/b/blobs/uploads/", urls.uploads().toString());
    assertEquals("http://127.0.0.1:5000/v2/a/b/blobs/uploads/?mount=sha256%3A" + D.hex()
        + "&from=c%2Fd", urls.mount(D, "c/d").toString());
    assertEquals("http://127.0.0.1:5000/v2/", urls.ping().toString());
  }

  @Test
  void resolveLocation_relativeAndAbsolute_keepTheQuery() {
    URI request = URI.create("http://127.0.0.1:5000/v2/a/b/blobs/uploads/");
    assertEquals(URI.create("http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1?_state=x%3D%3D"),
        RegistryUrls.resolveLocation(request, "/v2/a/b/blobs/uploads/u1?_state=x%3D%3D"));
    assertEquals(URI.create("https://other:1/up/u2?s=1"),
        RegistryUrls.resolveLocation(request, " https://other:1/up/u2?s=1 "));
  }

  @Test
  void withDigest_appendsToAnExistingQueryOrStartsOne() {
    String digest = "digest=sha256%3A" + D.hex();
    assertEquals("http://h/up/u1?_state=abc%3D%3D&" + digest,
        RegistryUrls.withDigest(URI.create("http://h/up/u1?_state=abc%3D%3D"), D).toString());
    assertEquals("http://h/up/u1?" + digest,
        RegistryUrls.withDigest(URI.create("http://h/up/u1"), D).toString());
    assertEquals("http://h/up/u1?" + digest,
        RegistryUrls.withDigest(URI.create("http://h/up/u1?"), D).toString());
    assertEquals("http://h/up/u1?a=1&" + digest,
        RegistryUrls.withDigest(URI.create("http://h/up/u1?a=1&"), D).toString());
  }
}
