package dev.jbuild.layerstore.oci;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest {@code algorithm:hex}, as defined by the OCI image spec ({@code descriptor.md}).
 * Only {@code sha256} (64 lowercase hex digits) and {@code sha512} (128) are accepted.
 *
 * @param algorithm the hash algorithm, {@code sha256} or {@code sha512}
 * @param hex the lowercase hex encoding of the hash
 */
public record Digest(String algorithm, String hex) {
  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  /** Validates the algorithm and the encoding. */
  public Digest {
    if ("sha256".equals(algorithm)) {
      check(SHA256, algorithm, hex);
    } else if ("sha512".equals(algorithm)) {
      check(SHA512, algorithm, hex);
    } else {
      throw new IllegalArgumentException(
          "unsupported digest algorithm '" + algorithm + "' (expected sha256 or sha512)");
    }
  }

  private static void check(Pattern pattern, String algorithm, String hex) {
    if (hex == null || !pattern.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "invalid " + algorithm + " digest '" + hex + "': expected lowercase hex of the right length");
    }
  }

  /**
   * Parses {@code sha256:<hex>}.
   *
   * @throws IllegalArgumentException if the string is not a valid digest
   */
  @JsonCreator
  public static Digest parse(String value) {
    int colon = value == null ? -1 : value.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid digest '" + value + "': expected algorithm:hex");
    }
    return new Digest(value.substring(0, colon), value.substring(colon + 1));
  }

  /** Returns the digest of {@code bytes}. */
  public static Digest sha256(byte[] bytes) {
    return ofSha256(newSha256().digest(bytes));
  }

  /** Returns the sha256 digest of the UTF-8 bytes of {@code text}. */
  public static Digest sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Wraps a finished sha256 hash. */
  public static Digest ofSha256(byte[] hash) {
    return new Digest("sha256", HexFormat.of().formatHex(hash));
  }

  /** Returns a fresh sha256 {@link MessageDigest}; every JVM has one. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JVM without SHA-256", e);
    }
  }

  /** Returns the first 12 hex digits, as Docker shows image IDs. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @JsonValue
  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
