package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.Flag;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The flags each instruction accepts and the checks of BuildKit's instructions/bflag.go: names are
 * case-sensitive; booleans accept {@code --f} and {@code --f=true|false}; strings need a value;
 * only list flags ({@code mount}, {@code exclude}, {@code device}) may repeat.
 */
final class FlagRules {

  /** Kind of value a flag takes. */
  enum Kind {
    BOOLEAN,
    STRING,
    LIST
  }

  private static final Map<String, Map<String, Kind>> BY_INSTRUCTION = new LinkedHashMap<>();

  static {
    BY_INSTRUCTION.put("FROM", Map.of("platform", Kind.STRING));
    BY_INSTRUCTION.put(
        "RUN",
        Map.of(
            "mount", Kind.LIST,
            "network", Kind.STRING,
            "security", Kind.STRING,
            "device", Kind.LIST));
    BY_INSTRUCTION.put(
        "COPY",
        Map.of(
            "from", Kind.STRING,
            "chown", Kind.STRING,
            "chmod", Kind.STRING,
            "link", Kind.BOOLEAN,
            "parents", Kind.BOOLEAN,
            "exclude", Kind.LIST));
    BY_INSTRUCTION.put(
        "ADD",
        Map.of(
            "chown", Kind.STRING,
            "chmod", Kind.STRING,
            "link", Kind.BOOLEAN,
            "keep-git-dir", Kind.BOOLEAN,
            "checksum", Kind.STRING,
            "unpack", Kind.BOOLEAN,
            "exclude", Kind.LIST));
    BY_INSTRUCTION.put(
        "HEALTHCHECK",
        Map.of(
            "interval", Kind.STRING,
            "timeout", Kind.STRING,
            "start-period", Kind.STRING,
            "start-interval", Kind.STRING,
            "retries", Kind.STRING));
  }

  /** A flag check failure; the caller adds the position. */
  static final class FlagException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int index;

    FlagException(String message, int index) {
      super(message, null, false, false);
      this.index = index;
    }

    /** Returns the index of the offending flag in the list that was checked. */
    int index() {
      return index;
    }
  }

  private FlagRules() {}

  /**
   * Checks the flags of an instruction.
   *
   * @param keyword upper-case instruction name
   * @param flags the flags in source order
   * @throws FlagException for an unknown, duplicate or malformed flag
   */
  static void check(String keyword, List<Flag> flags) throws FlagException {
    Map<String, Kind> known = BY_INSTRUCTION.getOrDefault(keyword, Map.of());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < flags.size(); i++) {
      Flag flag = flags.get(i);
      Kind kind = known.get(flag.name());
      if (kind == null) {
        // BuildKit's bflag.go suggests the bare name: "unknown flag: --mont (did you mean
        // mount?)", which its testMountInvalid pins.
        throw new FlagException(
            Suggestions.withSuggestion(
                "unknown flag: --" + flag.name(),
                Suggestions.closest(flag.name(), new ArrayList<>(known.keySet()), true)),
            i);
      }
      if (!seen.add(flag.name()) && kind != Kind.LIST) {
        throw new FlagException("duplicate flag specified: --" + flag.name(), i);
      }
      switch (kind) {
        case BOOLEAN:
          if (flag.value() != null) {
            if (flag.value().isEmpty()) {
              throw new FlagException("missing a value on flag: --" + flag.name(), i);
            }
            String v = flag.value().toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
              throw new FlagException(
                  "expecting boolean value for flag --" + flag.name() + ", not: " + flag.value(),
                  i);
            }
          }
          break;
        default:
          if (flag.value() == null) {
            throw new FlagException("missing a value on flag: --" + flag.name(), i);
          }
      }
    }
  }
}
