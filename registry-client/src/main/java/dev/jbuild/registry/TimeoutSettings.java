package dev.jbuild.registry;

import java.time.Duration;
import java.util.Locale;

/**
 * The default registry timeouts ({@link RegistryOptions#defaults()}), each overridable in seconds
 * (fractions allowed) by a system property or, for the {@code jbuild} command, an environment
 * variable:
 *
 * <table>
 *   <caption>Timeouts</caption>
 *   <tr><th>what</th><th>default</th><th>property</th><th>environment</th></tr>
 *   <tr><td>TCP/TLS connect</td><td>20 s</td><td>{@code jbuild.registry.connectTimeout}</td>
 *       <td>{@code JBUILD_REGISTRY_CONNECT_TIMEOUT}</td></tr>
 *   <tr><td>whole small request (manifest, token, HEAD)</td><td>30 s</td>
 *       <td>{@code jbuild.registry.requestTimeout}</td>
 *       <td>{@code JBUILD_REGISTRY_REQUEST_TIMEOUT}</td></tr>
 *   <tr><td>silence during a blob transfer</td><td>60 s</td>
 *       <td>{@code jbuild.registry.stallTimeout}</td><td>{@code JBUILD_REGISTRY_STALL_TIMEOUT}</td>
 *   </tr>
 *   <tr><td>silence before saying what is awaited</td><td>10 s</td>
 *       <td>{@code jbuild.registry.noticeAfter}</td><td>{@code JBUILD_REGISTRY_NOTICE_AFTER}</td>
 *   </tr>
 * </table>
 *
 * <p>The defaults are generous for real registries (Docker Hub answers a manifest in well under a
 * second; a blob that sends nothing for a minute is a dead connection) and, with the 5 attempts of
 * {@link RetryPolicy#defaults()}, bound a pull from a registry that never answers to about three
 * minutes instead of 25 (issue #10).
 */
enum TimeoutSettings {
  CONNECT("connectTimeout", Duration.ofSeconds(20)),
  REQUEST("requestTimeout", Duration.ofSeconds(30)),
  STALL("stallTimeout", Duration.ofSeconds(60)),
  NOTICE("noticeAfter", Duration.ofSeconds(10));

  private final String property;
  private final Duration fallback;

  TimeoutSettings(String property, Duration fallback) {
    this.property = "jbuild.registry." + property;
    this.fallback = fallback;
  }

  /** The configured value, or the default when unset. */
  Duration get() {
    String value = System.getProperty(property);
    if (value == null) {
      value = System.getenv(environmentName());
    }
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      double seconds = Double.parseDouble(value.trim());
      if (seconds > 0) {
        return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException(property + " (or " + environmentName() + ") must be a"
        + " positive number of seconds, not '" + value + "'");
  }

  String environmentName() {
    return "JBUILD_REGISTRY_" + property.substring("jbuild.registry.".length())
        .replaceAll("([A-Z])", "_$1").toUpperCase(Locale.ROOT);
  }
}
