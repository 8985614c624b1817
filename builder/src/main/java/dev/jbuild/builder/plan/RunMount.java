package dev.jbuild.builder.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code RUN --mount=...} option list, parsed ({@code dockerfile-language.md} §1.4):
 * {@code type=bind|cache|tmpfs|secret} with {@code target}, {@code source}, {@code from},
 * {@code id}, {@code sharing}, {@code mode}, {@code uid}, {@code gid}, {@code ro|rw},
 * {@code required}, {@code size}, and for secrets {@code env} (BuildKit ≥ 0.13, Dockerfile 1.10:
 * the value becomes that environment variable of the RUN; without a target there is no file).
 *
 * @param type the mount type
 * @param target where it appears in the container (absolute); null only for a secret given as
 *     {@code env=} without a target
 * @param options every option as written, for the cache key and type-specific values
 * @param origin for a bind mount, the tree it shows ({@code from=} resolved by the planner); the
 *     context otherwise
 */
public record RunMount(Type type, String target, Map<String, String> options,
    FileOrigin origin) {

  /** Mount types. */
  public enum Type {
    BIND, CACHE, TMPFS, SECRET
  }

  /**
   * Parses the value of one {@code --mount} flag.
   *
   * @param workingDir resolves a relative target
   * @throws IllegalArgumentException with BuildKit-like messages for bad values
   */
  public static RunMount parse(String value, String workingDir) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (String field : value.split(",")) {
      if (field.isEmpty()) {
        continue;
      }
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase();
      String val = eq < 0 ? "true" : field.substring(eq + 1);
      switch (key) {
        case "dst", "destination" -> key = "target";
        case "src" -> key = "source";
        case "ro", "readonly" -> {
          key = "readonly";
        }
        case "rw", "readwrite" -> {
          key = "readonly";
          val = "true".equals(val) ? "false" : "true";
        }
        default -> {
        }
      }
      opts.put(key, val);
    }
    String typeName = opts.getOrDefault("type", "bind");
    Type type = switch (typeName) {
      case "bind" -> Type.BIND;
      case "cache" -> Type.CACHE;
      case "tmpfs" -> Type.TMPFS;
      case "secret" -> Type.SECRET;
      case "ssh" -> throw new IllegalArgumentException(
          "RUN --mount=type=ssh is not supported by jbuild yet");
      default -> throw new IllegalArgumentException("unsupported mount type \"" + typeName + "\"");
    };
    if (opts.containsKey("env") && (type != Type.SECRET || opts.get("env").isEmpty()
        || opts.get("env").contains("="))) {
      throw new IllegalArgumentException(type != Type.SECRET
          ? "unexpected key 'env' for mount type '" + typeName + "'"
          : "invalid env name \"" + opts.get("env") + "\" for secret mount");
    }
    String target = opts.get("target");
    if (type == Type.SECRET && target == null) {
      String id = opts.get("id");
      if (id == null) {
        throw new IllegalArgumentException("secret mount needs an id or a target");
      }
      if (opts.containsKey("env")) {
        // An env secret gets a file only when a target is asked for, as in BuildKit.
        return new RunMount(type, null, Map.copyOf(opts), FileOrigin.CONTEXT);
      }
      target = "/run/secrets/" + id;
    }
    if (target == null || target.isEmpty()) {
      throw new IllegalArgumentException("mount " + value + ": target is required");
    }
    target = PlanPaths.absolute(workingDir, target);
    return new RunMount(type, target, Map.copyOf(opts), FileOrigin.CONTEXT);
  }

  /** This mount showing {@code tree} (a {@code from=} the planner resolved). */
  public RunMount withOrigin(FileOrigin tree) {
    return new RunMount(type, target, options, tree);
  }

  /** {@code option} or {@code fallback}. */
  public String option(String option, String fallback) {
    return options.getOrDefault(option, fallback);
  }

  /** Whether the mount is read-only; bind and secret mounts are by default. */
  public boolean readOnly() {
    String ro = options.get("readonly");
    if (ro != null) {
      return !"false".equals(ro);
    }
    return type == Type.BIND || type == Type.SECRET;
  }

  /** The environment variable a secret also sets ({@code env=}), or null. */
  public String secretEnv() {
    return options.get("env");
  }

  /** The secret's id: {@code id}, else the target's file name. */
  public String secretId() {
    String id = options.get("id");
    return id != null ? id : target.substring(target.lastIndexOf('/') + 1);
  }

  /** A stable description for the cache key (sorted options, never secret values). */
  public String canonical() {
    return type + " " + target + " " + new java.util.TreeMap<>(options);
  }
}
