package dev.jbuild.maven;

import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.exec.BuildOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code <secrets>} entries in {@code docker build --secret}'s syntax. */
final class Secrets {
  private Secrets() {}

  /**
   * Adds {@code id=ID,src=PATH} or {@code id=ID,env=VAR} (a bare {@code id=ID} reads the variable
   * {@code ID}, as docker build does). The value is never logged.
   *
   * @throws IllegalArgumentException naming the malformed entry or the unreadable file
   */
  static void add(BuildRequest.Builder request, String spec) {
    Map.Entry<String, BuildOptions.Secret> secret = parse(spec);
    request.secret(secret.getKey(), secret.getValue());
  }

  /**
   * The entry as the {@code jbuild} command's {@code --secret} reads it ({@code id=ID,src=PATH}
   * or {@code id=ID,env=VAR}), after the same checks as {@link #add}: the child JVM gets the
   * file's path or the variable's name, never the value.
   */
  static String cliSpec(String spec) {
    Map.Entry<String, BuildOptions.Secret> secret = parse(spec);
    BuildOptions.Secret s = secret.getValue();
    return "id=" + secret.getKey() + (s.file() != null ? ",src=" + s.file().toAbsolutePath() : ",env=" + s.env());
  }

  private static Map.Entry<String, BuildOptions.Secret> parse(String spec) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("<secret> '" + spec
            + "': expected id=ID,src=PATH or id=ID,env=VAR");
      }
      kv.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
    }
    String id = kv.get("id");
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("<secret> '" + spec + "': id= is required");
    }
    String src = kv.containsKey("src") ? kv.get("src") : kv.get("source");
    if (src != null) {
      if (!Files.isReadable(Path.of(src))) {
        throw new IllegalArgumentException("secret " + id + ": cannot read " + src);
      }
      return Map.entry(id, new BuildOptions.Secret(Path.of(src), null));
    }
    return Map.entry(id, new BuildOptions.Secret(null, kv.getOrDefault("env", id)));
  }
}
