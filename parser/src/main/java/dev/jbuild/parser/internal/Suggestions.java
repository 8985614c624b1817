package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.EditDistance;
import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean" suggestions by Levenshtein distance, in the spirit of BuildKit's util/suggest:
 * only a close option is suggested (distance 1 for words shorter than four characters, else 2).
 */
final class Suggestions {

  private Suggestions() {}

  /**
   * Returns the closest option, or {@code null} if none is close enough.
   *
   * @param value what the user wrote
   * @param options the valid words
   * @param caseSensitive whether case differences count as edits
   */
  static String closest(String value, Collection<String> options, boolean caseSensitive) {
    if (value.isEmpty()) {
      return null;
    }
    String probe = caseSensitive ? value : value.toLowerCase(Locale.ROOT);
    int limit = probe.length() < 4 ? 1 : 2;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String option : options) {
      String candidate = caseSensitive ? option : option.toLowerCase(Locale.ROOT);
      int distance = EditDistance.between(probe, candidate);
      if (distance > 0 && distance <= limit && distance < bestDistance) {
        best = option;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** Appends {@code " (did you mean X?)"} to the message when a suggestion exists. */
  static String withSuggestion(String message, String suggestion) {
    return suggestion == null ? message : message + " (did you mean " + suggestion + "?)";
  }
}
