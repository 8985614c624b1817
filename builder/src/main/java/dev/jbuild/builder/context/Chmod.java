package dev.jbuild.builder.context;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code --chmod} value: octal ({@code 0755}) or symbolic as in chmod(1) ({@code u=rwx,go=rx},
 * {@code a+X}, {@code g-w}), applied to each copied file and directory.
 */
public final class Chmod {
  private static final Pattern OCTAL = Pattern.compile("0*[0-7]{1,4}");
  private static final Pattern CLAUSE = Pattern.compile("([ugoa]*)([-+=])([rwxXst]*|[ugo])");

  private final String spec;
  private final int octal;

  private Chmod(String spec, int octal) {
    this.spec = spec;
    this.octal = octal;
  }

  /**
   * Parses a {@code --chmod} value.
   *
   * @throws IllegalArgumentException with BuildKit's "invalid chmod parameter" wording
   */
  public static Chmod parse(String value) {
    if (value != null && OCTAL.matcher(value).matches()) {
      return new Chmod(value, Integer.parseInt(value, 8));
    }
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("invalid chmod parameter: empty");
    }
    // BuildKit (dockerfile2llb/convert_copy.go) parses the value as octal first and gives this
    // message for anything that looks numeric: out of range ("10000") or not octal ("64a").
    if (Character.isDigit(value.charAt(0))) {
      throw new IllegalArgumentException("invalid chmod parameter: '" + value
          + "'. it should be octal string and between 0 and 07777");
    }
    for (String clause : value.split(",", -1)) {
      if (!CLAUSE.matcher(clause).matches()) {
        throw new IllegalArgumentException("invalid chmod parameter: " + value);
      }
    }
    return new Chmod(value, -1);
  }

  /** The value as written, for cache keys. */
  @Override
  public String toString() {
    return spec;
  }

  /**
   * The permission bits of a directory that the copy creates for its destination (the missing
   * parents of {@code /parent/sub/foo}, or a missing {@code /dir/} destination): the octal value
   * without setuid, setgid and sticky, else 0755 for a symbolic value.
   *
   * <p>Current BuildKit (testCopyChmod) passes the octal mode to fsutil's {@code copy.MkdirAll}
   * as a Go {@code os.FileMode}, whose permission bits are 0777; a symbolic value is not a mode
   * there, so it creates them with the default 0755. BuildKit 0.8 created them 0755 always.
   */
  public int createdDirectoryMode() {
    return octal >= 0 ? octal & 0777 : 0755;
  }

  /** The new permission bits for an entry whose current bits are {@code mode}. */
  public int apply(int mode, boolean directory) {
    if (octal >= 0) {
      // BuildKit turns the octal value into a Go os.FileMode, whose permission bits are 0777:
      // setuid, setgid and sticky written in octal are dropped (observed on the oracle).
      return octal & 0777;
    }
    int result = mode & 07777;
    for (String clause : spec.split(",")) {
      Matcher m = CLAUSE.matcher(clause);
      if (!m.matches()) {
        continue;
      }
      String who = m.group(1).isEmpty() ? "a" : m.group(1);
      int mask = 0;
      for (char w : who.toCharArray()) {
        mask |= switch (w) {
          case 'u' -> 04700;
          case 'g' -> 02070;
          case 'o' -> 01007;
          default -> 07777;
        };
      }
      int bits = bits(m.group(3), result, directory);
      switch (m.group(2)) {
        case "+" -> result |= bits & mask;
        case "-" -> result &= ~(bits & mask);
        default -> result = (result & ~mask) | (bits & mask);
      }
    }
    return result;
  }

  private static int bits(String perms, int current, boolean directory) {
    if (perms.length() == 1 && "ugo".contains(perms)) {
      int shift = switch (perms) {
        case "u" -> 6;
        case "g" -> 3;
        default -> 0;
      };
      int rwx = (current >> shift) & 7;
      return rwx << 6 | rwx << 3 | rwx;
    }
    int bits = 0;
    for (char c : perms.toCharArray()) {
      bits |= switch (c) {
        case 'r' -> 0444;
        case 'w' -> 0222;
        case 'x' -> 0111;
        case 'X' -> directory || (current & 0111) != 0 ? 0111 : 0;
        case 's' -> 06000;
        case 't' -> 01000;
        default -> 0;
      };
    }
    return bits;
  }
}
