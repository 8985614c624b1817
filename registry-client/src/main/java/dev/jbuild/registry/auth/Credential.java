package dev.jbuild.registry.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A user name and password (or token used as a password) for one registry.
 *
 * <p>{@link #toString()} never prints the password.
 *
 * @param username the user name, not empty
 * @param password the password, not null
 */
public record Credential(String username, String password) {

  /** Validates. */
  public Credential {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.isEmpty()) {
      throw new IllegalArgumentException("empty user name");
    }
  }

  /**
   * Decodes a {@code config.json} {@code auth} value, {@code base64(user:password)}.
   *
   * @throws IllegalArgumentException if it is not valid base64 of {@code user:password}
   */
  public static Credential fromDockerAuth(String auth) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the auth value is not valid base64");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("the auth value does not decode to user:password");
    }
    return new Credential(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  /** The user name Docker's credential helpers use to mark an identity token. */
  public static final String IDENTITY_TOKEN_USER = "<token>";

  /**
   * An identity token ({@code config.json} {@code identitytoken}, or a credential helper's answer
   * with user name {@code <token>}): an OAuth2 refresh token, exchanged for access tokens with the
   * {@code refresh_token} grant and never sent as a password.
   */
  public static Credential identityToken(String token) {
    return new Credential(IDENTITY_TOKEN_USER, token);
  }

  /** True if this is an identity token rather than a user name and password. */
  public boolean isIdentityToken() {
    return username.equals(IDENTITY_TOKEN_USER);
  }

  /** The {@code auth} value {@code docker login} writes to {@code config.json}. */
  public String toDockerAuth() {
    return Base64.getEncoder()
        .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The value of an {@code Authorization: Basic} header. */
  public String basicAuthorization() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credential[username=" + username + ", password=<redacted>]";
  }
}
