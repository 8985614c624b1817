package dev.jbuild.builder.export;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code -o/--output} value: {@code type=docker|oci|local|tar,dest=PATH}, or a bare path
 * (docker's shorthand for {@code type=local,dest=PATH}).
 *
 * @param type the output type
 * @param dest where it goes; {@code -} means standard output for archive types
 */
public record OutputSpec(Type type, String dest) {
  /** The output types. */
  public enum Type {
    DOCKER, OCI, LOCAL, TAR
  }

  /**
   * Parses an output value.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static OutputSpec parse(String value) {
    if (!value.contains("=")) {
      return new OutputSpec(Type.LOCAL, value);
    }
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("invalid output '" + value + "': expected key=value");
      }
      kv.put(part.substring(0, eq), part.substring(eq + 1));
    }
    String type = kv.getOrDefault("type", "local");
    Type t = switch (type) {
      case "docker" -> Type.DOCKER;
      case "oci" -> Type.OCI;
      case "local" -> Type.LOCAL;
      case "tar" -> Type.TAR;
      default -> throw new IllegalArgumentException("unsupported output type '" + type
          + "': expected docker, oci, local or tar");
    };
    String dest = kv.get("dest");
    if (dest == null || dest.isEmpty()) {
      throw new IllegalArgumentException("output " + type + " needs dest=PATH");
    }
    return new OutputSpec(t, dest);
  }

  /** {@code dest} as a path. */
  public Path path() {
    return Path.of(dest);
  }
}
