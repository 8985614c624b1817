package dev.jbuild.builder.plan;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Variables for one expansion that remember which names the expansion looked up, found or not
 * (BuildKit's {@code ProcessWordWithMatches}: {@code Matched}, {@code Unmatched}), for the lints
 * that need them. The expander reads variables through {@link #get} only.
 */
final class RecordingVars extends LinkedHashMap<String, String> {
  private static final long serialVersionUID = 1L;

  /** Names looked up and found. */
  final Set<String> matched;
  /** Names looked up and not set. */
  final Set<String> unmatched;

  RecordingVars(Map<String, String> vars) {
    this(vars, new LinkedHashSet<>(), new LinkedHashSet<>());
  }

  /** Records into the given sets (shared across the expansions of one instruction). */
  RecordingVars(Map<String, String> vars, Set<String> matched, Set<String> unmatched) {
    super(vars);
    this.matched = matched;
    this.unmatched = unmatched;
  }

  @Override
  public String get(Object key) {
    String value = super.get(key);
    if (key instanceof String name) {
      (value == null ? unmatched : matched).add(name);
    }
    return value;
  }
}
