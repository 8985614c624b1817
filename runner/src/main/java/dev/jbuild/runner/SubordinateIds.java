package dev.jbuild.runner;

import java.util.ArrayList;
import java.util.List;

/**
 * The subordinate id ranges of {@code /etc/subuid} or {@code /etc/subgid} ({@code subuid(5)}):
 * lines {@code NAME_OR_ID:START:COUNT}, the ranges newuidmap/newgidmap allow a user to map into a
 * user namespace. An entry applies to a user when its first field is the user's name or numeric
 * id, as shadow's {@code have_range} matches it. Malformed lines are skipped, as shadow does.
 */
final class SubordinateIds {
  /**
   * One range of ids.
   *
   * @param start the first host id
   * @param count how many ids
   */
  record Range(long start, long count) {}

  private SubordinateIds() {}

  /** The ranges of {@code text} that belong to the user {@code name} or the id {@code id}. */
  static List<Range> ranges(String text, String name, long id) {
    List<Range> ranges = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.strip().split(":");
      if (f.length != 3 || line.strip().startsWith("#")
          || !(f[0].equals(name) || f[0].equals(Long.toString(id)))) {
        continue;
      }
      try {
        long start = Long.parseLong(f[1]);
        long count = Long.parseLong(f[2]);
        if (start >= 0 && count > 0 && start + count <= 0xFFFFFFFFL) {
          ranges.add(new Range(start, count));
        }
      } catch (NumberFormatException e) {
        // Not a range; shadow ignores such lines too.
      }
    }
    return ranges;
  }

  /**
   * The map for newuidmap/newgidmap ({@code inner outer count} triples): inner 0 is the user's
   * own {@code id}, inner 1.. the ranges in file order, back to back.
   */
  static String map(long id, List<Range> ranges) {
    StringBuilder map = new StringBuilder("0 ").append(id).append(" 1");
    long inner = 1;
    for (Range r : ranges) {
      map.append(' ').append(inner).append(' ').append(r.start()).append(' ').append(r.count());
      inner += r.count();
    }
    return map.toString();
  }

  /** How many ids the ranges hold together. */
  static long total(List<Range> ranges) {
    return ranges.stream().mapToLong(Range::count).sum();
  }
}
