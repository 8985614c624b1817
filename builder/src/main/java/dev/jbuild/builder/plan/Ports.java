package dev.jbuild.builder.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** EXPOSE values as Docker's {@code nat.ParsePortSpecs} reads them: ports and ranges. */
final class Ports {
  private static final Pattern SPEC = Pattern.compile("(\\d+)(?:-(\\d+))?(?:/([a-zA-Z]+))?");

  private Ports() {}

  /**
   * Expands one EXPOSE word into {@code port/proto} keys.
   *
   * @throws IllegalArgumentException for anything that is not a port, range or protocol
   */
  static List<String> parse(String word) {
    // [ip:]hostPort:containerPort: only the container port is exposed (BuildKit's
    // convert_expose.go splitParts; its linter warns ExposeInvalidFormat, testExposeInvalidFormat).
    String[] parts = word.split(":", -1);
    String container = parts[parts.length - 1];
    if (parts.length > 1 && !SPEC.matcher(parts[parts.length - 2]).matches()) {
      throw new IllegalArgumentException("invalid hostPort: " + parts[parts.length - 2]);
    }
    Matcher m = SPEC.matcher(container);
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid containerPort: " + container);
    }
    int start = Integer.parseInt(m.group(1));
    int end = m.group(2) == null ? start : Integer.parseInt(m.group(2));
    String proto = m.group(3) == null ? "tcp" : m.group(3).toLowerCase(Locale.ROOT);
    if (start > 65535 || end > 65535 || end < start) {
      throw new IllegalArgumentException("invalid range specified for container port: " + word);
    }
    List<String> ports = new ArrayList<>();
    for (int p = start; p <= end; p++) {
      ports.add(p + "/" + proto);
    }
    return ports;
  }
}
