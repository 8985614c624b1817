package dev.jbuild.parser;

import java.util.Objects;

/**
 * A non-fatal finding of the parser, such as an empty continuation line.
 *
 * @param line 1-based line the warning refers to
 * @param message human-readable message, BuildKit's wording where it has one
 */
public record Warning(int line, String message) {

  /** Requires a message. */
  public Warning {
    Objects.requireNonNull(message, "message");
  }
}
