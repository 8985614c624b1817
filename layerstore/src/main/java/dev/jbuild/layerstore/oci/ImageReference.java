package dev.jbuild.layerstore.oci;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A normalized image reference {@code registry/repository[:tag][@digest]}, following
 * distribution/reference ({@code reference.go}, {@code normalize.go}).
 *
 * <pre>
 * reference := name [ ":" tag ] [ "@" digest ]
 * name      := [ domain "/" ] path-component [ "/" path-component ]*
 * domain    := host [ ":" port ]           (first component with "." or ":", or "localhost")
 * path      := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 * tag       := [\w][\w.-]{0,127}
 * digest    := algorithm ":" hex
 * </pre>
 *
 * <p>Normalization is Docker's: {@code busybox} is {@code docker.io/library/busybox:latest},
 * {@code index.docker.io} is {@code docker.io}, and a reference without tag or digest gets
 * {@code latest}. When both a tag and a digest are given, both are kept; the digest identifies the
 * content.
 *
 * @param registry the registry host[:port], for example {@code docker.io} or {@code localhost:5000}
 * @param repository the repository path, for example {@code library/busybox}
 * @param tag the tag, or null when only a digest was given
 * @param digest the digest, or null
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
  /** The registry name that Docker uses for Docker Hub. */
  public static final String DOCKER_HUB = "docker.io";

  private static final Pattern ANCHORED =
      Pattern.compile(
          "^((?:(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|"
              + "[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?/)?"
              + "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*)"
              + "(?::([\\w][\\w.-]{0,127}))?"
              + "(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}))?$");
  private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

  /** Validates the parts. */
  public ImageReference {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    if (tag == null && digest == null) {
      throw new IllegalArgumentException("a reference needs a tag or a digest");
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("invalid tag '" + tag + "'");
    }
  }

  /**
   * Parses and normalizes a reference as {@code docker pull} does.
   *
   * @throws IllegalArgumentException with Docker's wording for malformed references, for example
   *     "invalid reference format: repository name must be lowercase"
   */
  public static ImageReference parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("invalid reference format: empty reference");
    }
    if (HEX64.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "invalid repository name (" + text + "), cannot specify 64-byte hexadecimal strings");
    }
    // Split off the domain the way splitDockerDomain does, before the regex could mistake the
    // first path component ("foo" in "foo/bar") for a host.
    String registry;
    String remainder;
    int slash = text.indexOf('/');
    String first = slash < 0 ? "" : text.substring(0, slash);
    if (slash < 0
        || !(first.equals("localhost") || first.contains(".") || first.contains(":")
            || !first.equals(first.toLowerCase()))) {
      registry = DOCKER_HUB;
      remainder = text;
    } else {
      registry = first.equals("index.docker.io") ? DOCKER_HUB : first;
      remainder = text.substring(slash + 1);
    }
    if (registry.equals(DOCKER_HUB) && remainder.indexOf('/') < 0) {
      remainder = "library/" + remainder;
    }
    Matcher m = ANCHORED.matcher(registry + "/" + remainder);
    if (!m.matches()) {
      String name = remainder.split("[:@]", 2)[0];
      if (!name.equals(name.toLowerCase())) {
        throw new IllegalArgumentException(
            "invalid reference format: repository name (" + name + ") must be lowercase");
      }
      throw new IllegalArgumentException("invalid reference format: " + text);
    }
    String repository = m.group(1).substring(registry.length() + 1);
    if (repository.length() + registry.length() + 1 > 255) {
      throw new IllegalArgumentException("invalid reference format: repository name must not be"
          + " more than 255 characters");
    }
    String tag = m.group(2);
    Digest digest = m.group(3) == null ? null : Digest.parse(m.group(3));
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(registry, repository, tag, digest);
  }

  /** Returns a copy with {@code newTag} and no digest. */
  public ImageReference withTag(String newTag) {
    return new ImageReference(registry, repository, newTag, null);
  }

  /** Returns a copy pinned to {@code newDigest} (the tag is kept for display). */
  public ImageReference withDigest(Digest newDigest) {
    return new ImageReference(registry, repository, tag, newDigest);
  }

  /** The tag, or empty when the reference is by digest only. */
  public Optional<String> tagOptional() {
    return Optional.ofNullable(tag);
  }

  /** The tag or digest to use in {@code /v2/<name>/manifests/<reference>}; digest wins. */
  public String manifestReference() {
    return digest != null ? digest.toString() : tag;
  }

  /** {@code registry/repository}, for example {@code docker.io/library/busybox}. */
  public String name() {
    return registry + "/" + repository;
  }

  /** True when the registry is on this machine (plain HTTP by default, as in Docker). */
  public boolean isLoopbackRegistry() {
    String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1)
        : registry.split(":", 2)[0];
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
  }

  /**
   * The familiar form Docker shows: {@code busybox:latest} for Docker Hub library images,
   * otherwise {@code registry/repository:tag}.
   */
  public String familiarName() {
    String repo = repository;
    if (registry.equals(DOCKER_HUB)) {
      repo = repo.startsWith("library/") ? repo.substring("library/".length()) : repo;
    } else {
      repo = registry + "/" + repo;
    }
    return repo;
  }

  /** The familiar form with tag and digest, for example {@code busybox:latest}. */
  public String familiar() {
    return familiarName() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }

  /** The fully qualified form, for example {@code docker.io/library/busybox:latest}. */
  @Override
  public String toString() {
    return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }
}
