package dev.jbuild.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.registry.http.HttpExecutor;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.RequestBody;
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
 *   <li>{@code Bearer}: with a credential, a token is first requested with the OAuth2 password
 *       (or, for an identity token, refresh-token) grant, {@code POST <realm>}; containerd's
 *       fallback rules apply: on {@code 404}, {@code 401}, {@code 400}, or {@code 405} with a user
 *       name, it is fetched with {@code GET <realm>?service=..&scope=..} and Basic credentials
 *       instead (distribution's token server, GCR, Artifactory, ACR need that). Without a
 *       credential the GET is anonymous. Tokens are cached per {@link Scope} until they expire,
 *       and fetched again after a 401. A refresh token the server hands out is used for later
 *       POSTs.
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

  /** containerd sends "containerd-client"; registries only log it. */
  static final String CLIENT_ID = "jbuild";

  private Challenge challenge;
  private final Map<Scope, Token> tokens = new HashMap<>();
  private String refreshToken;
  /** Set once the token server showed it has no OAuth2 POST endpoint. */
  private boolean postUnsupported;

  /** A bearer token and when to stop using it. */
  record Token(String value, Instant expiresAt, String refreshToken) {
    Token(String value, Instant expiresAt) {
      this(value, expiresAt, null);
    }
  }

  /** A token endpoint answered with an unexpected status. */
  private static final class TokenStatus extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    TokenStatus(int status) {
      super("HTTP " + status, null, false, false);
      this.status = status;
    }
  }

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
      if (credential.isIdentityToken()) {
        throw new AuthenticationException("the registry " + registry + " asks for a user name and"
            + " password, but only an identity token is configured (log in again with a password)");
      }
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
    return handleUnauthorized(wwwAuthenticate, scope, true);
  }

  /**
   * Same as {@link #handleUnauthorized(List, Scope)}, knowing whether the rejected request carried
   * an {@code Authorization} header: an anonymous request that raced with the first challenge is
   * worth resending even when Basic credentials are already known.
   */
  public boolean handleUnauthorized(List<String> wwwAuthenticate, Scope scope,
      boolean requestWasAuthorized) throws IOException, AuthenticationException {
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
        return !requestWasAuthorized || previous == null || !previous.isBasic();
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
    String host = URI.create(bearer.parameter("realm").orElseThrow()).getHost();
    if (credential != null && !postUnsupported) {
      try {
        Token token = postToken(bearer, scope, now);
        if (token.refreshToken() != null) {
          refreshToken = token.refreshToken();
        }
        return token;
      } catch (TokenStatus e) {
        // containerd doBearerAuth: registries without the POST endpoint answer 404 (GCR), 401
        // (Artifactory), 400 (ACR) or 405; those get the GET flow.
        boolean fallBack = e.status == 404 || e.status == 401 || e.status == 400
            || (e.status == 405 && !credential.isIdentityToken());
        if (!fallBack) {
          throw refused(host, e.status, scope);
        }
        LOG.debug("The token server {} answered {} to OAuth2 POST; using GET", host, e.status);
        postUnsupported = true;
      }
    }
    try {
      return getToken(bearer, scope, now);
    } catch (TokenStatus e) {
      throw refused(host, e.status, scope);
    }
  }

  private AuthenticationException refused(String host, int status, Scope scope) {
    String hint = status == 401 || status == 403
        ? (credential == null ? " (no credentials are configured for " + registry + ")"
            : " (check the credentials for " + registry + ")")
        : "";
    return new AuthenticationException("the token server " + host + " answered " + status
        + " to a request for " + (scope.resources().isEmpty() ? "a login" : scope.toString())
        + hint);
  }

  /** The OAuth2 flow (distribution {@code docs/spec/auth/oauth.md}). */
  private Token postToken(Challenge bearer, Scope scope, Instant now)
      throws IOException, AuthenticationException, TokenStatus {
    URI realm = URI.create(bearer.parameter("realm").orElseThrow());
    StringBuilder form = new StringBuilder();
    String refresh = credential.isIdentityToken() ? credential.password() : refreshToken;
    if (refresh != null) {
      appendForm(form, "grant_type", "refresh_token");
      appendForm(form, "refresh_token", refresh);
    } else {
      appendForm(form, "grant_type", "password");
      appendForm(form, "username", credential.username());
      appendForm(form, "password", credential.password());
    }
    bearer.parameter("service").ifPresent(service -> appendForm(form, "service", service));
    appendForm(form, "client_id", CLIENT_ID);
    if (!scope.resources().isEmpty()) {
      appendForm(form, "scope", String.join(" ", scope.sorted()));
    }
    Request post = Request.post(realm, RequestBody.of(
        form.toString().getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded"));
    LOG.debug("Requesting a token for {} from {} (OAuth2 POST)", scope, realm.getHost());
    try (Response response = http.execute(post)) {
      if (response.statusCode() != 200) {
        throw new TokenStatus(response.statusCode());
      }
      return parseToken(response.readBody(MAX_TOKEN_RESPONSE), now, realm.getHost());
    }
  }

  private Token getToken(Challenge bearer, Scope scope, Instant now)
      throws IOException, AuthenticationException, TokenStatus {
    URI url = tokenUrl(bearer, scope);
    Request request = Request.get(url);
    if (credential != null && !credential.isIdentityToken()) {
      request = request.withHeader("Authorization", credential.basicAuthorization());
    }
    LOG.debug("Requesting a token for {} from {}", scope, url.getHost());
    try (Response response = http.execute(request)) {
      if (response.statusCode() != 200) {
        throw new TokenStatus(response.statusCode());
      }
      return parseToken(response.readBody(MAX_TOKEN_RESPONSE), now, url.getHost());
    }
  }

  private static void appendForm(StringBuilder form, String name, String value) {
    if (form.length() > 0) {
      form.append('&');
    }
    form.append(encode(name)).append('=').append(encode(value));
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
    String refresh = json.path("refresh_token").asText("");
    return new Token(token, now.plus(lifetime), refresh.isEmpty() ? null : refresh);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
