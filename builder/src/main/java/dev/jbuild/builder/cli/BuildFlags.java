package dev.jbuild.builder.cli;

import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.plan.NamedContext;
import dev.jbuild.runner.Sandbox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The {@code docker build} flags that shape the image's labels and every RUN step's sandbox
 * ({@code --label}, {@code --add-host}, {@code --shm-size}, {@code --ulimit}), mixed into {@link
 * BuildCommand}. Each bad value is one line naming the flag, in docker's wording where it has one.
 */
final class BuildFlags {
  @Option(names = "--label", paramLabel = "KEY=VALUE",
      description = "Set metadata for an image (repeatable); set after the Dockerfile's LABELs,"
          + " so it wins over them.")
  List<String> labels = new ArrayList<>();

  @Option(names = "--build-context", paramLabel = "NAME=DIR|NAME=docker-image://REF",
      description = "Additional build contexts (repeatable): replace the stage or image NAME in"
          + " FROM (images only), COPY --from and RUN --mount from=. An image may also come"
          + " from an OCI layout directory: NAME=oci-layout://PATH[:TAG|@sha256:DIGEST].")
  List<String> buildContexts = new ArrayList<>();

  @Option(names = "--add-host", paramLabel = "HOST:IP",
      description = "Add a custom host-to-IP mapping (host:ip) to RUN's /etc/hosts"
          + " (repeatable).")
  List<String> addHosts = new ArrayList<>();

  @Option(names = "--shm-size", paramLabel = "BYTES",
      description = "Size of /dev/shm in RUN steps (for example 128m; default 64m).")
  String shmSize;

  @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]",
      description = "Ulimit options for RUN steps (repeatable), for example nofile=1024:2048;"
          + " -1 is unlimited.")
  List<String> ulimits = new ArrayList<>();

  /**
   * Validates the flags and sets them on {@code request}.
   *
   * @throws IllegalArgumentException one line naming the flag and the bad value
   */
  void apply(BuildRequest.Builder request) {
    request.labels(labels(labels));
    for (String c : buildContexts) {
      Map.Entry<String, NamedContext> named;
      try {
        named = NamedContext.parseFlag(c);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid argument " + q(c) + " for"
            + " \"--build-context\" flag: " + oneLine(e.getMessage()));
      }
      if (named.getValue() instanceof NamedContext.Directory d
          && !java.nio.file.Files.isDirectory(d.dir())) {
        throw new IllegalArgumentException("invalid argument " + q(c) + " for"
            + " \"--build-context\" flag: " + d.dir() + " is not a directory");
      }
      if (named.getValue() instanceof NamedContext.OciLayout l
          && !java.nio.file.Files.isDirectory(l.dir())) {
        throw new IllegalArgumentException("invalid argument " + q(c) + " for"
            + " \"--build-context\" flag: " + l.dir() + " is not an OCI layout directory");
      }
      request.namedContext(named.getKey(), named.getValue());
    }
    List<Sandbox.Host> hosts = new ArrayList<>();
    for (String h : addHosts) {
      hosts.add(host(h));
    }
    List<Sandbox.Rlimit> rlimits = new ArrayList<>();
    for (String u : ulimits) {
      try {
        Sandbox.Rlimit r = Sandbox.Rlimit.parse(u);
        // docker keeps the last --ulimit of a name.
        rlimits.removeIf(old -> old.name().equals(r.name()));
        rlimits.add(r);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid argument " + q(u) + " for \"--ulimit\" flag: "
            + oneLine(e.getMessage()));
      }
    }
    long shm = 0;
    if (shmSize != null) {
      try {
        shm = Sizes.parseBytes(shmSize);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid argument " + q(shmSize)
            + " for \"--shm-size\" flag: " + oneLine(e.getMessage()));
      }
      if (shm < 4096) {
        throw new IllegalArgumentException("invalid argument " + q(shmSize)
            + " for \"--shm-size\" flag: /dev/shm needs at least 4k");
      }
    }
    request.sandbox(new Sandbox(hosts, shm, rlimits));
  }

  /** {@code s} quoted as Go's {@code %q} would, so a value with a newline stays on one line. */
  static String q(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"', '\\' -> out.append('\\').append(c);
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c)
            : String.valueOf(c));
      }
    }
    return out.append('"').toString();
  }

  private static String oneLine(String message) {
    return message.replace("\r", "\\r").replace("\n", "\\n");
  }

  /** {@code KEY=VALUE} pairs in order; docker's {@code ValidateLabel} needs the '='. */
  static Map<String, String> labels(List<String> specs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String l : specs) {
      int eq = l.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("invalid argument " + q(l) + " for \"--label\" flag:"
            + " bad attribute format: " + oneLine(l));
      }
      if (eq == 0) {
        throw new IllegalArgumentException("invalid argument " + q(l) + " for \"--label\" flag:"
            + " the label has no key");
      }
      out.put(l.substring(0, eq), l.substring(eq + 1));
    }
    return out;
  }

  /**
   * {@code host:ip} as docker's {@code ValidateExtraHost} splits it (at the first ':', so IPv6
   * addresses keep theirs), or {@code host=ip} as newer docker also takes.
   */
  static Sandbox.Host host(String spec) {
    int sep = spec.indexOf('=');
    if (sep < 0) {
      sep = spec.indexOf(':');
    }
    if (sep <= 0) {
      throw new IllegalArgumentException("invalid argument " + q(spec) + " for \"--add-host\""
          + " flag: bad format for add-host: " + q(spec) + " (expected HOST:IP)");
    }
    String name = spec.substring(0, sep);
    String ip = spec.substring(sep + 1);
    if (ip.startsWith("[") && ip.endsWith("]")) {
      ip = ip.substring(1, ip.length() - 1);
    }
    if (ip.equals("host-gateway")) {
      throw new IllegalArgumentException("invalid argument " + q(spec) + " for \"--add-host\""
          + " flag: host-gateway is not supported: give the host's address");
    }
    try {
      return new Sandbox.Host(name, ip);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid argument " + q(spec) + " for \"--add-host\""
          + " flag: " + (e.getMessage().startsWith("invalid IP")
              ? "invalid IP address in add-host: " + q(ip) : oneLine(e.getMessage())));
    }
  }
}
