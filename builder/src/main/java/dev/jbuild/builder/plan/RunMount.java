package dev.jbuild.builder.plan;

import dev.jbuild.parser.ast.EditDistance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * @param origin for a bind mount, the tree it shows; for a cache mount with {@code from=}, the
 *     tree a new cache starts as ({@code from=} resolved by the planner); the context otherwise
 */
public record RunMount(Type type, String target, Map<String, String> options,
    FileOrigin origin) {

  /** Mount types. */
  public enum Type {
    BIND, CACHE, TMPFS, SECRET
  }

  /** Every key BuildKit's {@code parseMount} knows, for "did you mean" suggestions. */
  private static final List<String> KEYS = List.of("type", "from", "source", "target",
      "readonly", "id", "sharing", "required", "size", "mode", "uid", "gid", "src", "dst",
      "destination", "ro", "rw", "readwrite", "env");
  private static final List<String> TYPES = List.of("bind", "cache", "tmpfs", "secret", "ssh");
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?");

  /**
   * Parses the value of one {@code --mount} flag, with the checks and messages of BuildKit's
   * {@code instructions/commands_runmount.go parseMount}.
   *
   * @param workingDir resolves a relative target
   * @throws IllegalArgumentException with BuildKit's messages for bad values
   */
  public static RunMount parse(String value, String workingDir) {
    Map<String, String> opts = new LinkedHashMap<>();
    String typeName = "bind";
    for (String field : value.split(",")) {
      if (field.isEmpty()) {
        continue;
      }
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
      String val = eq < 0 ? "true" : field.substring(eq + 1);
      switch (key) {
        case "type" -> {
          typeName = val.toLowerCase(Locale.ROOT);
          if (!TYPES.contains(typeName)) {
            throw new IllegalArgumentException(suggest("unsupported mount type \"" + val + "\"",
                val, TYPES));
          }
        }
        case "dst", "destination" -> key = "target";
        case "src" -> key = "source";
        case "ro", "readonly" -> {
          val = bool(key, val);
          key = "readonly";
        }
        case "rw", "readwrite" -> {
          val = "true".equals(bool(key, val)) ? "false" : "true";
          key = "readonly";
        }
        case "required" -> {
          if (!typeName.equals("secret") && !typeName.equals("ssh")) {
            throw unexpected(key, typeName);
          }
          val = bool(key, val);
        }
        case "size" -> {
          if (!typeName.equals("tmpfs")) {
            throw unexpected(key, typeName);
          }
          bytes(val);
        }
        case "mode" -> number(key, val, 8);
        case "uid", "gid" -> number(key, val, 10);
        case "from", "source", "target", "id", "sharing", "env" -> {
        }
        default -> throw new IllegalArgumentException(suggest("unexpected key '" + key
            + "' in '" + field + "'", key, KEYS));
      }
      if (eq < 0 && !key.equals("readonly") && !key.equals("required")) {
        throw new IllegalArgumentException("invalid field '" + field
            + "' must be a key=value pair");
      }
      opts.put(key, val);
    }
    Type type = switch (typeName) {
      case "bind" -> Type.BIND;
      case "cache" -> Type.CACHE;
      case "tmpfs" -> Type.TMPFS;
      case "secret" -> Type.SECRET;
      default -> throw new IllegalArgumentException(
          "RUN --mount=type=ssh is not supported by jbuild yet");
    };
    if (type == Type.BIND || type == Type.TMPFS) {
      for (String fileInfo : List.of("mode", "uid", "gid")) {
        if (opts.containsKey(fileInfo)) {
          throw new IllegalArgumentException(fileInfo + " not allowed for \"" + typeName
              + "\" type mounts");
        }
      }
    }
    if (opts.containsKey("sharing") && type != Type.CACHE) {
      throw new IllegalArgumentException("invalid cache sharing set for " + typeName + " mount");
    }
    if (type == Type.SECRET && opts.containsKey("from")) {
      throw new IllegalArgumentException("secret mount should not have a from");
    }
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

  /**
   * The size of a tmpfs ({@code size=}) in bytes, read as docker's {@code units.RAMInBytes}:
   * {@code 128m}, {@code 1.5GiB}, {@code 4096}; multiples of 1024.
   *
   * @throws IllegalArgumentException "invalid value for size: X"
   */
  public static long bytes(String value) {
    Matcher m = SIZE.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid value for size: " + value);
    }
    int shift = m.group(2) == null ? 0
        : 10 * ("kmgtp".indexOf(Character.toLowerCase(m.group(2).charAt(0))) + 1);
    try {
      double size = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
      if (size >= Long.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return (long) size;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid value for size: " + value, e);
    }
  }

  /** The tmpfs size in bytes ({@code size=}), or 0 for the kernel's default. */
  public long tmpfsSize() {
    String size = options.get("size");
    return size == null ? 0 : bytes(size);
  }

  private static String bool(String key, String value) {
    // Go's strconv.ParseBool, which BuildKit uses.
    return switch (value) {
      case "1", "t", "T", "true", "TRUE", "True" -> "true";
      case "0", "f", "F", "false", "FALSE", "False" -> "false";
      default -> throw new IllegalArgumentException("invalid value for " + key + ": " + value);
    };
  }

  private static void number(String key, String value, int radix) {
    try {
      if (Long.parseLong(value, radix) < 0 || Long.parseLong(value, radix) > 0xFFFFFFFFL) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid value " + value + " for " + key, e);
    }
  }

  private static IllegalArgumentException unexpected(String key, String type) {
    return new IllegalArgumentException("unexpected key '" + key + "' for mount type '" + type
        + "'");
  }

  /**
   * {@code message}, with BuildKit's {@code util/suggest} hint appended when an option is less
   * than three edits away: {@code unsupported mount type "tmp" (did you mean tmpfs?)}.
   */
  static String suggest(String message, String value, List<String> options) {
    String best = null;
    int bestDistance = 3;
    for (String option : options) {
      if (option.equals(value)) {
        return message;
      }
      int d = EditDistance.between(value, option);
      if (d < bestDistance) {
        best = option;
        bestDistance = d;
      }
    }
    return best == null ? message : message + " (did you mean " + best + "?)";
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

  /**
   * For a cache mount, the subpath of the cache directory it shows ({@code source=}), cleaned as
   * BuildKit's {@code path.Join("/", source)} does ({@code ..} stops at the cache's root): a
   * relative path of names such as {@code go/pkg}, or null for the whole cache ({@code source}
   * absent, empty, {@code /} or {@code ../..}). Whether it is safe to follow is the runner's
   * check, when it mounts: the cache's content is written by RUN steps.
   */
  public String cacheSubpath() {
    String source = options.get("source");
    if (type != Type.CACHE || source == null) {
      return null;
    }
    java.util.ArrayDeque<String> names = new java.util.ArrayDeque<>();
    for (String name : source.split("/")) {
      if (name.equals("..")) {
        names.pollLast();
      } else if (!name.isEmpty() && !name.equals(".")) {
        names.addLast(name);
      }
    }
    return names.isEmpty() ? null : String.join("/", names);
  }

  /** A stable description for the cache key (sorted options, never secret values). */
  public String canonical() {
    return type + " " + target + " " + new java.util.TreeMap<>(options);
  }
}
