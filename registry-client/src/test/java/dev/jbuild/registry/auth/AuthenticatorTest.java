package dev.jbuild.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.registry.http.HttpExecutor;
import dev.jbuild.registry.testing.FakeServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
  private final HttpExecutor http =
      HttpExecutor.create(Duration.ofSeconds(5), Duration.ofSeconds(5), "jbuild-test");

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    Instant now = Instant.parse("2025-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void bearerToken_isCachedPerScope_andRenewedBeforeItExpires() throws Exception {
    AtomicInteger issued = new AtomicInteger();
    try (FakeServer tokens = new FakeServer(e -> FakeServer.respond(e, 200, Map.of(),
        ("{\"token\":\"t" + issued.incrementAndGet() + "\",\"expires_in\":100,"
            + "\"issued_at\":\"2000-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8)))) {
      ManualClock clock = new ManualClock();
      Authenticator auth = new Authenticator(http, URI.create("http://127.0.0.1:1"), "reg",
          Optional.empty(), clock);
      Scope pull = Scope.pull("a/b");
      assertEquals(Optional.empty(), auth.authorization(pull));
      assertTrue(auth.handleUnauthorized(
          List.of("Bearer realm=\"http://" + tokens.address() + "/token\""), pull));

      assertEquals(Optional.of("Bearer t1"), auth.authorization(pull));
      clock.now = clock.now.plusSeconds(80);
      assertEquals(Optional.of("Bearer t1"), auth.authorization(pull));
      assertEquals(Optional.of("Bearer t2"), auth.authorization(Scope.push("a/b")));
      clock.now = clock.now.plusSeconds(15); // within the renewal margin of t1
      assertEquals(Optional.of("Bearer t3"), auth.authorization(pull));
      assertEquals("/token?scope=repository%3Aa%2Fb%3Apull",
          tokens.requests().get(0).pathAndQuery());
      assertEquals("/token?scope=repository%3Aa%2Fb%3Apull%2Cpush",
          tokens.requests().get(1).pathAndQuery());
    }
  }

  @Test
  void basicChallenge_withoutCredential_explainsHowToLogIn() {
    Authenticator auth = new Authenticator(http, URI.create("http://127.0.0.1:1"), "reg:5000",
        Optional.empty());
    AuthenticationException e = assertThrows(AuthenticationException.class,
        () -> auth.handleUnauthorized(List.of("Basic realm=\"r\""), Scope.pull("a")));
    assertTrue(e.getMessage().contains("docker login reg:5000"), e.getMessage());
  }

  @Test
  void basicChallenge_secondTime_meansTheCredentialIsWrong() throws Exception {
    Credential credential = new Credential("u", "p");
    Authenticator auth = new Authenticator(http, URI.create("http://127.0.0.1:1"), "reg",
        Optional.of(credential));
    assertTrue(auth.handleUnauthorized(List.of("Basic realm=\"r\""), Scope.pull("a")));
    assertEquals(Optional.of(credential.basicAuthorization()), auth.authorization(Scope.pull("a")));
    assertFalse(auth.handleUnauthorized(List.of("Basic realm=\"r\""), Scope.pull("a")));
  }

  @Test
  void unsupportedScheme_isAnAuthenticationException() {
    Authenticator auth = new Authenticator(http, URI.create("http://127.0.0.1:1"), "reg",
        Optional.empty());
    AuthenticationException e = assertThrows(AuthenticationException.class,
        () -> auth.handleUnauthorized(List.of("Negotiate abc=="), Scope.pull("a")));
    assertTrue(e.getMessage().contains("unsupported authentication scheme 'negotiate'"));
  }

  @Test
  void tokenUrl_keepsTheRealmQueryAndEncodesEveryScope() {
    Challenge bearer = new Challenge("Bearer",
        Map.of("realm", "https://auth.example/token?x=1", "service", "reg svc"));
    assertEquals(URI.create("https://auth.example/token?x=1&service=reg+svc"
            + "&scope=repository%3Aa%3Apull%2Cpush&scope=repository%3Ab%3Apull"),
        Authenticator.tokenUrl(bearer, Scope.mount("a", "b")));
  }

  @Test
  void parseToken_withoutAnyToken_fails() {
    assertThrows(AuthenticationException.class,
        () -> Authenticator.parseToken("{\"expires_in\":5}".getBytes(StandardCharsets.UTF_8),
            Instant.EPOCH, "h"));
  }
}
