package dev.jbuild.builder.cli;

import dev.jbuild.builder.export.OutputSpec;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.registry.IndexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code -o/--output} values of {@code build}, as buildx reads them: files ({@link
 * OutputSpec}: {@code type=docker|oci|local|tar}) and buildx's image outputs, {@code
 * type=image[,name=REF][,push=true|false]} and {@code type=registry} (its shorthand for {@code
 * type=image,push=true}, what {@code --push} means). jbuild always stores the image, so an image
 * output only adds names and the push.
 *
 * <p>{@code oci-mediatypes=true|false} (on image, registry, oci and docker outputs, as in buildx)
 * decides the media type of a multi-platform image's index: unset, an OCI image index that is
 * pushed as a Docker manifest list to a registry that refuses the OCI type; {@code true}, always
 * the OCI index; {@code false}, a Docker manifest list, stored and pushed. jbuild's images are
 * Docker schema 2 manifests whatever it says.
 *
 * @param files the file outputs, in order
 * @param push whether an image output pushes
 * @param names the {@code name=} references, which tag the image as {@code -t} does
 * @param ociMediaTypes the {@code oci-mediatypes} value, null when no output sets it
 */
record BuildOutputs(List<OutputSpec> files, boolean push, List<ImageReference> names,
    Boolean ociMediaTypes) {
  private static final Set<String> IMAGE_KEYS = Set.of("type", "name", "push", "oci-mediatypes");

  /** Copies. */
  BuildOutputs {
    files = List.copyOf(files);
    names = List.copyOf(names);
  }

  /**
   * Parses every {@code -o} value.
   *
   * @throws IllegalArgumentException naming the value and what is wrong with it
   */
  static BuildOutputs parse(List<String> values) {
    List<OutputSpec> files = new ArrayList<>();
    List<ImageReference> names = new ArrayList<>();
    boolean push = false;
    Boolean oci = null;
    for (String value : values) {
      String type = "local";
      String ociValue = null;
      List<String[]> pairs = new ArrayList<>();
      if (value.contains("=")) {
        for (String part : value.split(",")) {
          int eq = part.indexOf('=');
          if (eq < 0) {
            throw new IllegalArgumentException("invalid output '" + value
                + "': expected key=value");
          }
          String key = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
          String v = part.substring(eq + 1).strip();
          pairs.add(new String[] {key, v});
          if (key.equals("type")) {
            type = v;
          } else if (key.equals("oci-mediatypes")) {
            ociValue = v;
          }
        }
      }
      if (ociValue != null && (type.equals("local") || type.equals("tar"))) {
        throw new IllegalArgumentException("output '" + value + "': oci-mediatypes applies to"
            + " type=image, registry, oci and docker, not " + type);
      }
      if (ociValue != null) {
        boolean wanted = bool(value, "oci-mediatypes", ociValue);
        if (oci != null && oci != wanted) {
          throw new IllegalArgumentException("conflicting oci-mediatypes in the outputs: one says "
              + oci + ", '" + value + "' says " + wanted);
        }
        oci = wanted;
      }
      if (!type.equals("image") && !type.equals("registry")) {
        files.add(OutputSpec.parse(value));
        continue;
      }
      boolean pushes = type.equals("registry");
      for (String[] kv : pairs) {
        if (!IMAGE_KEYS.contains(kv[0])) {
          throw new IllegalArgumentException("unsupported key '" + kv[0] + "' in output '"
              + value + "': type=" + type + " takes name, push and oci-mediatypes");
        }
        if (kv[0].equals("name")) {
          if (kv[1].isEmpty()) {
            throw new IllegalArgumentException("empty name= in output '" + value + "'");
          }
          names.add(ImageReference.parse(kv[1]));
        } else if (kv[0].equals("push")) {
          boolean p = bool(value, "push", kv[1]);
          if (type.equals("registry") && !p) {
            throw new IllegalArgumentException("output '" + value + "': type=registry always"
                + " pushes; use type=image to only name the image");
          }
          pushes = p;
        }
      }
      push |= pushes;
    }
    return new BuildOutputs(files, push, names, oci);
  }

  /**
   * How a push sends a stored OCI index: unset tries the OCI index and falls back to a Docker
   * manifest list; {@code true} sends only the OCI index; {@code false} a Docker list (the index
   * is then stored as one already).
   */
  IndexFormat indexFormat() {
    if (ociMediaTypes == null) {
      return IndexFormat.OCI_ELSE_DOCKER_LIST;
    }
    return ociMediaTypes ? IndexFormat.OCI : IndexFormat.DOCKER_LIST;
  }

  private static boolean bool(String value, String key, String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("invalid " + key + "='" + text
          + "' in output '" + value + "': expected true or false");
    };
  }
}
