package dev.jbuild.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.registry.http.HttpExecutor;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supplies the {@code Authorization} header for requests to one registry, learning what the
 * registry wants from its {@code 401} challenges (distribution {@code docs/spec/auth/token.md}).
 *
 * <ul>
 *   <li>Until challenged, requests go out anonymously.
 *   <li>{@code Basic}: the credential is sent on every later request; no credential, or a second
 *       401 with it, is an {@link AuthenticationException}.
 *   <li>{@code Bearer}: a token is fetched with {@code GET <realm>?service=..&scope=..} (with Basic
 *       credentials when known, anonymously otherwise), cached per {@link Scope} until it expires,
 *       and fetched again after a 401.
 * </ul>
 *
 * <p>Thread-safe: concurrent requests share challenges and cached tokens. Never logs credentials or
 * tokens.
 */
public final class Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** distribution token.md: "If omitted, [expires_in] should be assumed to be 60 seconds". */
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
  /** Renew a little early so that a token does not expire in flight. */
  private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);
  private static final int MAX_TOKEN_RESPONSE = 1 << 20;

  private final HttpExecutor http;
  private final URI registryBase;
  private final String registry;
  private final Credential credential;
  private final Clock clock;

  private Challenge challenge;
  private final Map<Scope, Token> tokens = new HashMap<>();

  /** A bearer token and when to stop using it. */
  record Token(String value, Instant expiresAt) {}

  /**
   * @param http the executor used for challenge discovery and token requests
   * @param registryBase the registry's base URL, for example {@code http://127.0.0.1:5000}
   * @param registry the registry as users name it ({@code host[:port]}), for messages
   * @param credential the credential for this registry, if any
   */
  public Authenticator(
      HttpExecutor http, URI registryBase, String registry, Optional<Credential> credential) {
    this(http, registryBase, registry, credential, Clock.systemUTC());
  }

  Authenticator(
      HttpExecutor http, URI registryBase, String registry, Optional<Credential> credential,
      Clock clock) {
    this.http = Objects.requireNonNull(http, "http");
    this.registryBase = Objects.requireNonNull(registryBase, "registryBase");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.credential = credential.orElse(null);
    this.clock = clock;
  }

  /** True if a credential is configured for this registry. */
  public boolean hasCredential() {
    return credential != null;
  }

  /**
   * The {@code Authorization} value for a request needing {@code scope}, or empty to send the
   * request anonymously (nothing challenged yet). May fetch a bearer token.
   *
   * @throws IOException if the token server cannot be reached
   * @throws AuthenticationException if the token server refuses
   */
  public Optional<String> authorization(Scope scope) throws IOException, AuthenticationException {
    Challenge current;
    synchronized (this) {
      current = challenge;
    }
    if (current == null) {
      return Optional.empty();
    }
    if (current.isBasic()) {
      return Optional.of(credential.basicAuthorization());
    }
    return Optional.of("Bearer " + token(current, scope));
  }

  /**
   * Learns from a {@code 401}: records the challenge and drops the cached token for
   * {@code scope}.
   *
   * @param wwwAuthenticate the 401's {@code WWW-Authenticate} values; when empty the challenge is
   *     fetched from {@code GET /v2/}
   * @param scope the access the rejected request needed
   * @return true if resending the request with a fresh {@link #authorization} can succeed
   * @throws AuthenticationException if the registry wants credentials that are missing, or an
   *     unsupported scheme
   * @throws IOException if the challenge cannot be fetched
   */
  public boolean handleUnauthorized(List<String> wwwAuthenticate, Scope scope)
      throws IOException, AuthenticationException {
    List<Challenge> challenges = Challenge.parseAll(wwwAuthenticate);
    if (challenges.isEmpty()) {
      challenges = fetchChallenges();
    }
    Optional<Challenge> bearer = challenges.stream().filter(Challenge::isBearer).findFirst();
    Optional<Challenge> basic = challenges.stream().filter(Challenge::isBasic).findFirst();
    synchronized (this) {
      Challenge previous = challenge;
      if (bearer.isPresent()) {
        if (bearer.get().parameter("realm").isEmpty()) {
          throw new AuthenticationException(
              "the registry " + registry + " sent a Bearer challenge without a realm");
        }
        challenge = bearer.get();
        tokens.remove(scope);
        return true;
      }
      if (basic.isPresent()) {
        if (credential == null) {
          throw new AuthenticationException(
              "the registry " + registry + " requires a user name and password, and none is"
                  + " configured (log in with `docker login " + registry
                  + "` or pass credentials)");
        }
        challenge = basic.get();
        // Already sent Basic credentials and got another 401: they are wrong.
        return previous == null || !previous.isBasic();
      }
      if (challenges.isEmpty()) {
        return false;
      }
      throw new AuthenticationException(
          "the registry " + registry + " asks for unsupported authentication scheme '"
              + challenges.get(0).scheme() + "'");
    }
  }

  private List<Challenge> fetchChallenges() throws IOException {
    try (Response response = http.execute(Request.get(registryBase.resolve("/v2/")))) {
      if (response.statusCode() != 401) {
        return List.of();
      }
      return Challenge.parseAll(response.headers("www-authenticate"));
    }
  }

  private synchronized String token(Challenge bearer, Scope scope)
      throws IOException, AuthenticationException {
    // Synchronized so that parallel blob uploads wait for one token request instead of each
    // sending their own.
    Token cached = tokens.get(scope);
    Instant now = clock.instant();
    if (cached != null && now.isBefore(cached.expiresAt().minus(EXPIRY_MARGIN))) {
      return cached.value();
    }
    Token fresh = requestToken(bearer, scope, now);
    tokens.put(scope, fresh);
    return fresh.value();
  }

  private Token requestToken(Challenge bearer, Scope scope, Instant now)
      throws IOException, AuthenticationException {
    URI url = tokenUrl(bearer, scope);
    Request request = Request.get(url);
    if (credential != null) {
      request = request.withHeader("Authorization", credential.basicAuthorization());
    }
    LOG.debug("Requesting a token for {} from {}", scope, url.getHost());
    try (Response response = http.execute(request)) {
      if (response.statusCode() != 200) {
        String hint = response.statusCode() == 401 || response.statusCode() == 403
            ? (credential == null ? " (no credentials are configured for " + registry + ")"
                : " (check the credentials for " + registry + ")")
            : "";
        throw new AuthenticationException(
            "the token server " + url.getHost() + " answered " + response.statusCode()
                + " to a request for " + scope + hint);
      }
      return parseToken(response.readBody(MAX_TOKEN_RESPONSE), now, url.getHost());
    }
  }

  /** {@code <realm>?service=<service>&scope=<a>&scope=<b>}. */
  static URI tokenUrl(Challenge bearer, Scope scope) {
    StringBuilder url = new StringBuilder(bearer.parameter("realm").orElseThrow());
    char separator = url.indexOf("?") < 0 ? '?' : '&';
    Optional<String> service = bearer.parameter("service");
    if (service.isPresent()) {
      url.append(separator).append("service=").append(encode(service.get()));
      separator = '&';
    }
    for (String resource : scope.sorted()) {
      url.append(separator).append("scope=").append(encode(resource));
      separator = '&';
    }
    return URI.create(url.toString());
  }

  static Token parseToken(byte[] body, Instant now, String host) throws AuthenticationException {
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (IOException e) {
      throw new AuthenticationException("the token server " + host + " sent invalid JSON", e);
    }
    String token = json.path("token").asText("");
    if (token.isEmpty()) {
      token = json.path("access_token").asText("");
    }
    if (token.isEmpty()) {
      throw new AuthenticationException("the token server " + host + " sent no token");
    }
    Duration lifetime = json.path("expires_in").asLong(0) > 0
        ? Duration.ofSeconds(json.get("expires_in").asLong()) : DEFAULT_TOKEN_LIFETIME;
    // Measured from our clock, not issued_at: a server clock that lags would otherwise make every
    // token look expired.
    return new Token(token, now.plus(lifetime));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
