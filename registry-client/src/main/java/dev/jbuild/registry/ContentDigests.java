package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.http.Response;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/** Digests of registry content and the response headers that describe content. Static helpers. */
final class ContentDigests {
  private ContentDigests() {}

  /** The {@code algorithm} (sha256 or sha512) digest of {@code bytes}. */
  static Digest of(byte[] bytes, String algorithm) {
    byte[] hash = newMessageDigest(algorithm).digest(bytes);
    return new Digest(algorithm, HexFormat.of().formatHex(hash));
  }

  /** A fresh hash for {@code algorithm}: SHA-512 for {@code sha512}, else SHA-256. */
  static MessageDigest newMessageDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JVM without " + algorithm, e);
    }
  }

  /** The digest if {@code tagOrDigest} is one (tags cannot contain ':'), else null. */
  static Digest parseReference(String tagOrDigest) {
    return tagOrDigest.indexOf(':') >= 0 ? Digest.parse(tagOrDigest) : null;
  }

  /**
   * Fails if the response's {@code Docker-Content-Digest} names a different digest of the same
   * algorithm as {@code expected}; an absent header or another algorithm is accepted.
   */
  static void checkHeader(String action, Response response, Digest expected)
      throws ContentVerificationException {
    Optional<String> header = response.header("docker-content-digest");
    if (header.isEmpty()) {
      return;
    }
    Digest claimed = parseHeader(action, header.get());
    if (claimed.algorithm().equals(expected.algorithm()) && !claimed.equals(expected)) {
      throw new RegistryErrorExceptionBuilder(action).contentMismatch(
          "the registry reports digest " + claimed + " instead of " + expected);
    }
  }

  /** A {@code Docker-Content-Digest} value; a malformed one is a verification failure. */
  static Digest parseHeader(String action, String value) throws ContentVerificationException {
    try {
      return Digest.parse(value.trim());
    } catch (IllegalArgumentException e) {
      throw new RegistryErrorExceptionBuilder(action).contentMismatch("the registry sent an"
          + " invalid Docker-Content-Digest header (" + e.getMessage() + ")");
    }
  }

  /** A {@code Content-Type} without parameters, lower case. */
  static String stripParameters(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
        .toLowerCase(Locale.ROOT);
  }
}
