package dev.jbuild.builder.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Docker's size strings: {@code 512m}, {@code 2g}, {@code 64MiB}, plain bytes; binary units. */
final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b?)");

  private Sizes() {}

  /**
   * Parses a size.
   *
   * @throws IllegalArgumentException for anything else, naming the value
   */
  static long parseBytes(String value) {
    Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid size '" + value
          + "': expected a number with an optional unit b, k, m, g (for example 512m)");
    }
    double n = Double.parseDouble(m.group(1));
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    return (long) (n * (1L << shift));
  }
}
