package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageReference;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * A {@code --build-context NAME=VALUE}, as buildx passes BuildKit's {@code context:NAME}: an
 * image ({@code docker-image://REF}) or a local directory. Either replaces what the Dockerfile
 * calls NAME, a stage or an image, wherever it is read: FROM, {@code COPY --from}, {@code RUN
 * --mount from=} (BuildKit's dockerfile_test {@code TestNamedImageContext}, {@code
 * TestNamedLocalContext}).
 */
public sealed interface NamedContext {
  /**
   * An image instead of NAME.
   *
   * @param reference the image
   */
  record Image(ImageReference reference) implements NamedContext {
    public Image {
      Objects.requireNonNull(reference, "reference");
    }
  }

  /**
   * The empty image instead of NAME: {@code docker-image://scratch}, as BuildKit's dockerui reads
   * that name ({@code EmptyImageName}; testNamedImageContextScratch). A longer name of it
   * ({@code docker.io/library/scratch}) is an image like any other, as there.
   */
  record Scratch() implements NamedContext {}

  /**
   * A directory's files instead of NAME's ({@code COPY --from=NAME}, {@code RUN --mount
   * from=NAME}); its own {@code .dockerignore} applies, as in BuildKit.
   *
   * @param dir an absolute path
   */
  record Directory(Path dir) implements NamedContext {
    public Directory {
      if (!dir.isAbsolute()) {
        throw new IllegalArgumentException("a named context directory must be absolute: " + dir);
      }
    }
  }

  /**
   * An image in an OCI image layout directory instead of NAME
   * ({@code oci-layout://PATH[:TAG|@sha256:DIGEST]}, buildx's spelling; BuildKit's
   * testNamedOCILayoutContext). The build copies
   * it into the store, verified, before planning; the planner only sees the {@link Image} it
   * becomes.
   *
   * @param dir the layout directory, absolute
   * @param tag the {@code org.opencontainers.image.ref.name} of the index entry to use
   *     ({@code latest} when neither tag nor digest is given), or null with a digest
   * @param digest the manifest (or index) to use, or null; it wins over a tag, as in buildx
   */
  record OciLayout(Path dir, String tag, Digest digest) implements NamedContext {
    public OciLayout {
      if (!dir.isAbsolute()) {
        throw new IllegalArgumentException("an OCI layout directory must be absolute: " + dir);
      }
      if (tag == null && digest == null) {
        tag = "latest";
      }
    }
  }

  /**
   * Parses buildx's {@code VALUE}: {@code docker-image://REF},
   * {@code oci-layout://PATH[:TAG|@DIGEST]} or a directory path; the other schemes buildx knows (git, http(s), target:) are
   * refused with their name.
   *
   * @throws IllegalArgumentException one line saying what is wrong
   */
  public static NamedContext parse(String value) {
    if (value.equals("docker-image://scratch")) {
      return new Scratch();
    }
    if (value.startsWith("docker-image://")) {
      return new Image(ImageReference.parse(value.substring("docker-image://".length())));
    }
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.startsWith("oci-layout://")) {
      return ociLayout(value.substring("oci-layout://".length()));
    }
    for (String scheme : new String[] {"http://", "https://", "git@",
        "git://", "target:", "input:"}) {
      if (lower.startsWith(scheme)) {
        throw new IllegalArgumentException(scheme.replace("://", "").replace(":", "")
            .replace("@", "") + " contexts are not supported: use docker-image://REF or a"
            + " directory");
      }
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException("the context is empty: use docker-image://REF or a"
          + " directory");
    }
    return new Directory(Path.of(value).toAbsolutePath().normalize());
  }

  /** {@code PATH[:TAG][@DIGEST]}: a digest after the last {@code @}, a tag after a last colon. */
  private static OciLayout ociLayout(String rest) {
    Digest digest = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      digest = Digest.parse(rest.substring(at + 1));
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!tag.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")) {
        throw new IllegalArgumentException("invalid tag \"" + tag + "\" in oci-layout://"
            + rest + ":" + tag);
      }
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("oci-layout:// needs a directory:"
          + " oci-layout://PATH[:TAG|@sha256:DIGEST]");
    }
    return new OciLayout(Path.of(rest).toAbsolutePath().normalize(), digest == null ? tag : null,
        digest);
  }

  /** {@code NAME=VALUE} as a name (lower-cased) and its context. */
  public static java.util.Map.Entry<String, NamedContext> parseFlag(String flag) {
    int eq = flag.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("expected NAME=docker-image://REF or NAME=DIR");
    }
    String name = flag.substring(0, eq).toLowerCase(Locale.ROOT);
    if (!name.matches("[a-z0-9][a-z0-9._/:@-]*")) {
      throw new IllegalArgumentException("invalid context name \"" + name + "\"");
    }
    return java.util.Map.entry(name, parse(flag.substring(eq + 1)));
  }
}
