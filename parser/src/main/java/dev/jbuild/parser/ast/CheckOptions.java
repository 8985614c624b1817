package dev.jbuild.parser.ast;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The build-check configuration of a {@code # check=} directive or the {@code
 * BUILDKIT_DOCKERFILE_CHECK} build argument, as in BuildKit's linter: {@code
 * skip=<Rule,...|all>;error=<bool>;experimental=<Rule,...|all>}. The parser already applies
 * {@code skip} to its own warnings (also the per-instruction {@code # check=skip=} comment
 * directly above an instruction, Dockerfile 1.21); the builder applies it to its checks and, when
 * {@link #error()} is set, fails the build with {@link #violation(Collection)}.
 *
 * @param skipAll whether {@code skip=all} was given
 * @param skip rule names to skip
 * @param error whether warnings fail the build ({@code error=true})
 * @param experimentalAll whether {@code experimental=all} was given
 * @param experimental experimental rule names to enable
 */
public record CheckOptions(
    boolean skipAll, Set<String> skip, boolean error, boolean experimentalAll,
    Set<String> experimental) {

  /** No skipped rules, warnings are not errors. */
  public static final CheckOptions DEFAULT = new CheckOptions(false, Set.of(), false, false, Set.of());

  /** Copies the sets. */
  public CheckOptions {
    skip = Set.copyOf(skip);
    experimental = Set.copyOf(experimental);
  }

  /**
   * Parses a check specification.
   *
   * @param spec e.g. {@code skip=JSONArgsRecommended,StageNameCasing;error=true}; blank means
   *     {@link #DEFAULT}
   * @return the options
   * @throws IllegalArgumentException with BuildKit's message ({@code invalid check option "x"},
   *     {@code failed to parse check option "error=x": ...})
   */
  public static CheckOptions parse(String spec) {
    String text = spec == null ? "" : spec.strip();
    if (text.isEmpty()) {
      return DEFAULT;
    }
    boolean skipAll = false;
    boolean error = false;
    boolean experimentalAll = false;
    Set<String> skip = new LinkedHashSet<>();
    Set<String> experimental = new LinkedHashSet<>();
    for (String part : text.split(";", -1)) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("invalid check option " + quote(part));
      }
      String key = part.substring(0, eq).strip();
      String value = part.substring(eq + 1).strip();
      switch (key) {
        case "skip":
          if (value.equals("all")) {
            skipAll = true;
          } else {
            skip.addAll(ruleList(value));
          }
          break;
        case "experimental":
          if (value.equals("all")) {
            experimentalAll = true;
          } else {
            experimental.addAll(ruleList(value));
          }
          break;
        case "error":
          error = parseGoBool(value, part);
          break;
        default:
          throw new IllegalArgumentException("invalid check option " + quote(key));
      }
    }
    return new CheckOptions(skipAll, skip, error, experimentalAll, experimental);
  }

  /** Returns whether warnings of the rule should be reported. */
  public boolean enabled(String rule) {
    return !skipAll && !skip.contains(rule);
  }

  /**
   * Returns BuildKit's build error for {@code error=true}, or {@code null} when warnings are not
   * errors or there are none.
   *
   * @param warnings the reported warnings
   * @return {@code lint violation found for rules: A, B} or {@code null}
   */
  public String violation(Collection<Warning> warnings) {
    if (!error || warnings.isEmpty()) {
      return null;
    }
    Set<String> rules = new LinkedHashSet<>();
    for (Warning w : warnings) {
      rules.add(w.rule());
    }
    return "lint violation found for rules: " + String.join(", ", rules);
  }

  private static List<String> ruleList(String value) {
    List<String> rules = new ArrayList<>();
    for (String rule : value.split(",", -1)) {
      rules.add(rule.strip());
    }
    return rules;
  }

  // Go strconv.ParseBool.
  private static boolean parseGoBool(String value, String part) {
    switch (value) {
      case "1": case "t": case "T": case "true": case "TRUE": case "True":
        return true;
      case "0": case "f": case "F": case "false": case "FALSE": case "False":
        return false;
      default:
        throw new IllegalArgumentException(
            "failed to parse check option " + quote(part) + ": strconv.ParseBool: parsing "
                + quote(value) + ": invalid syntax");
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "skipAll=%s skip=%s error=%s", skipAll, skip, error);
  }
}
