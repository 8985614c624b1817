package dev.jbuild.parser.ast;

/**
 * The Levenshtein distance that every "did you mean" hint in jbuild ranks names by: the parser's
 * unknown instructions and flags, the planner's stage names and mount keys and types (as
 * BuildKit's {@code util/suggest} does with its levenshtein package). Each caller keeps its own
 * rule for what is close enough; this is the one distance they share.
 *
 * <p>It lives beside {@link GoStrings} in {@code parser.ast}, a leaf package that the parser's
 * internals and the builder's planner already depend on, so it adds no edge to the package
 * graph. Stateless and thread-safe.
 */
public final class EditDistance {
  private EditDistance() {}

  /**
   * How many single-character inserts, deletes and substitutions turn {@code a} into {@code b}
   * (UTF-16 chars, case-sensitive: callers lower-case first when case must not count).
   */
  public static int between(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
