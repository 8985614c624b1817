package dev.jbuild.parser.ast;

/**
 * A builder flag written before an instruction's arguments, such as {@code --platform=linux/amd64}
 * or {@code --link}. Quotes and escapes in the flag word have already been processed, as BuildKit
 * does ({@code --mount="a b"} has the value {@code a b}); variables are not expanded.
 *
 * @param name the flag name without the leading {@code --} (case-sensitive)
 * @param value the text after the first {@code =}, or {@code null} for a bare {@code --name}
 */
public record Flag(String name, String value) {

  /** Requires a non-empty name. */
  public Flag {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("flag name must not be empty");
    }
  }

  /** Returns the flag as written, {@code --name=value} or {@code --name}. */
  @Override
  public String toString() {
    return value == null ? "--" + name : "--" + name + "=" + value;
  }
}
