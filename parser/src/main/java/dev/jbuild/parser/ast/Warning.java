package dev.jbuild.parser.ast;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A non-fatal finding of the parser, such as an empty continuation line or a build-check (lint)
 * violation. Lint messages start with the rule name, e.g. {@code StageNameCasing: Stage name
 * 'Build' should be lowercase}.
 *
 * @param line 1-based line the warning refers to
 * @param message human-readable message, BuildKit's wording where it has one
 */
public record Warning(int line, String message) {

  private static final Pattern RULE_PREFIX = Pattern.compile("^([A-Z][A-Za-z]+): ");

  /** Requires a message. */
  public Warning {
    Objects.requireNonNull(message, "message");
  }

  /**
   * Returns the BuildKit build-check rule this warning belongs to, e.g. {@code
   * NoEmptyContinuation} or {@code JSONArgsRecommended}.
   */
  public String rule() {
    Matcher m = RULE_PREFIX.matcher(message);
    return m.find() ? m.group(1) : "";
  }
}
