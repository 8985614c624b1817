package dev.jbuild.builder.cache;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code --cache-to} or {@code --cache-from} value, as BuildKit spells them:
 * {@code type=registry,ref=REG/REPO:TAG[,mode=min|max]}, {@code type=local,dest=DIR} (to) or
 * {@code src=DIR} (from), {@code type=inline}; a bare {@code REF} means {@code type=registry}.
 *
 * @param type where the cache lives
 * @param ref the registry reference (registry and inline) or null
 * @param dir the OCI layout directory (local) or null
 * @param mode which steps an export carries (ignored on import)
 */
public record CacheSpec(Type type, String ref, Path dir, Mode mode) {
  /** Where a cache lives. */
  public enum Type { REGISTRY, LOCAL, INLINE }

  /**
   * Which steps an export carries, as BuildKit defines them: {@code MIN} the layers of the final
   * image's steps, and the steps that lead to them without their layers; {@code MAX} every
   * filesystem step of every stage that ran, with its layer.
   */
  public enum Mode { MIN, MAX }

  /** Validates. */
  public CacheSpec {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(mode, "mode");
    if (type == Type.REGISTRY && (ref == null || ref.isEmpty())) {
      throw new IllegalArgumentException("a registry cache needs ref=");
    }
    if (type == Type.LOCAL && dir == null) {
      throw new IllegalArgumentException("a local cache needs a directory");
    }
  }

  /** A registry cache at {@code ref}. */
  public static CacheSpec registry(String ref, Mode mode) {
    return new CacheSpec(Type.REGISTRY, ref, null, mode);
  }

  /** A cache in the OCI layout directory {@code dir}. */
  public static CacheSpec local(Path dir, Mode mode) {
    return new CacheSpec(Type.LOCAL, null, dir, mode);
  }

  /**
   * Parses a {@code --cache-to} ({@code export} true) or {@code --cache-from} value.
   *
   * @throws IllegalArgumentException naming the flag, the value and what is expected
   */
  public static CacheSpec parse(String spec, boolean export) {
    String flag = export ? "--cache-to" : "--cache-from";
    if (!spec.contains("=")) {
      if (export || spec.isBlank()) {
        throw new IllegalArgumentException("invalid " + flag + " '" + spec + "': expected "
            + (export ? "type=registry,ref=REF[,mode=min|max], type=local,dest=DIR or type=inline"
            : "REF, type=registry,ref=REF or type=local,src=DIR"));
      }
      return registry(spec, Mode.MIN);
    }
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("invalid " + flag + " '" + spec
            + "': expected KEY=VALUE pairs separated by commas");
      }
      kv.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
    }
    String type = kv.getOrDefault("type", "registry");
    Mode mode = switch (kv.getOrDefault("mode", "min")) {
      case "min" -> Mode.MIN;
      case "max" -> Mode.MAX;
      default -> throw new IllegalArgumentException("invalid " + flag + " '" + spec
          + "': mode must be min or max");
    };
    String compression = kv.getOrDefault("compression", "gzip");
    if (!compression.equals("gzip")) {
      throw new IllegalArgumentException("invalid " + flag + " '" + spec + "': only"
          + " compression=gzip is supported (cached layers are exported as they were built)");
    }
    // BuildKit's image-manifest=true (cache as an image manifest, not an index) and
    // oci-mediatypes=true describe what jbuild always writes: an OCI image manifest
    // (testImageManifestCacheImportExport). Their false values ask for a format jbuild does not
    // write, so an export refuses them rather than ignore them.
    for (String key : new String[] {"image-manifest", "oci-mediatypes"}) {
      String v = kv.getOrDefault(key, "true");
      if (!v.equals("true") && !(v.equals("false") && !export)) {
        throw new IllegalArgumentException("invalid " + flag + " '" + spec + "': " + key
            + " must be true (jbuild's cache is always an OCI image manifest)");
      }
    }
    for (String key : kv.keySet()) {
      if (!java.util.Set.of("type", "ref", "mode", "dest", "src", "compression",
          "image-manifest", "oci-mediatypes").contains(key)) {
        throw new IllegalArgumentException("invalid " + flag + " '" + spec + "': unknown key "
            + key);
      }
    }
    switch (type) {
      case "registry":
        if (!kv.containsKey("ref") || kv.get("ref").isEmpty()) {
          throw new IllegalArgumentException("invalid " + flag + " '" + spec
              + "': type=registry needs ref=REGISTRY/REPOSITORY:TAG");
        }
        return registry(kv.get("ref"), mode);
      case "local": {
        String key = export ? "dest" : "src";
        String dir = kv.get(key);
        if (dir == null || dir.isEmpty()) {
          throw new IllegalArgumentException("invalid " + flag + " '" + spec
              + "': type=local needs " + key + "=DIR");
        }
        return local(Path.of(dir), mode);
      }
      case "inline":
        if (!export) {
          throw new IllegalArgumentException("invalid " + flag + " '" + spec + "': an inline"
              + " cache is read from its image: use --cache-from REF");
        }
        return new CacheSpec(Type.INLINE, null, null, Mode.MIN);
      default:
        throw new IllegalArgumentException("invalid " + flag + " '" + spec + "': unknown type "
            + type + " (expected registry, local" + (export ? " or inline)" : ")"));
    }
  }
}
