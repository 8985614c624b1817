package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.parser.ast.GoStrings;

/**
 * History text that BuildKit writes with Go's formatting: the HEALTHCHECK struct and
 * {@code time.Duration} values. Strings and slices are {@link GoStrings}'.
 */
final class HistoryText {

  private HistoryText() {}

  /** BuildKit prints the Go struct: {@code &{["CMD-SHELL" "x"] "5m0s" "3s" "0s" "0s" '\x00'}}. */
  public static String healthcheck(ContainerConfig.Healthcheck hc) {
    return "&{" + GoStrings.quoteList(hc.test()) + " \"" + goDuration(hc.interval()) + "\" \""
        + goDuration(hc.timeout()) + "\" \"" + goDuration(hc.startPeriod()) + "\" \""
        + goDuration(hc.startInterval()) + "\" '" + goRune(hc.retries()) + "'}";
  }

  /** Go's {@code time.Duration.String()} for whole milliseconds and up. */
  static String goDuration(Long nanos) {
    if (nanos == null || nanos == 0) {
      return "0s";
    }
    long ms = nanos / 1_000_000;
    long h = ms / 3_600_000;
    long m = ms / 60_000 % 60;
    double s = (ms % 60_000) / 1000.0;
    String sec = s == Math.floor(s) ? String.valueOf((long) s) : String.valueOf(s);
    if (h > 0) {
      return h + "h" + m + "m" + sec + "s";
    }
    if (m > 0) {
      return m + "m" + sec + "s";
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    return sec + "s";
  }

  private static String goRune(Integer retries) {
    int r = retries == null ? 0 : retries;
    return r >= 32 && r < 127 ? String.valueOf((char) r) : String.format("\\x%02x", r);
  }
}
