package dev.jbuild.architecture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The package tables of {@code docs/ARCHITECTURE.md} as data: every Markdown table whose header
 * is {@code | package | job | depends on |} contributes one {@link Row} per line. Names are
 * relative to {@code dev.jbuild}; {@code x..} means {@code x} and its sub-packages. Only the names
 * in backticks of the two name columns are read, so prose around them (and {@code —} for "none")
 * is free.
 */
final class PackageTable {
  /** The root of every name in the tables. */
  static final String ROOT = "dev.jbuild";

  /** A backticked name: dot-separated lower-case segments, optionally ending in {@code ..}. */
  private static final Pattern NAME =
      Pattern.compile("`([a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*(?:\\.\\.)?)`");

  /**
   * One line of a table.
   *
   * @param name the row's package, relative to {@link #ROOT}, possibly ending in {@code ..}
   * @param allowed the packages it may use besides itself, in the same notation
   * @param line the 1-based line in the Markdown file, for messages
   */
  record Row(String name, List<String> allowed, int line) {
    Row {
      allowed = List.copyOf(allowed);
    }

    /** True when this row's name covers the (fully qualified) Java package. */
    boolean covers(String javaPackage) {
      return matches(name, javaPackage);
    }

    /** True when this row may use a class of the (fully qualified) Java package. */
    boolean allows(String javaPackage) {
      if (covers(javaPackage)) {
        return true;
      }
      for (String a : allowed) {
        if (matches(a, javaPackage)) {
          return true;
        }
      }
      return false;
    }

    /** How specific the row is: a longer name wins, and {@code x} wins over {@code x..}. */
    int specificity() {
      return name.endsWith("..") ? 2 * (name.length() - 2) : 2 * name.length() + 1;
    }
  }

  private final List<Row> rows;

  private PackageTable(List<Row> rows) {
    this.rows = List.copyOf(rows);
  }

  /** The rows in file order. */
  List<Row> rows() {
    return rows;
  }

  /**
   * Reads every package table of a Markdown text.
   *
   * @throws IllegalArgumentException if there is none, a row names no package or names a package
   *     twice, so that a mistyped table fails loudly instead of checking nothing
   */
  static PackageTable parse(String markdown) {
    List<Row> rows = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      List<String> header = cells(lines[i]);
      int pkg = header.indexOf("package");
      int deps = header.indexOf("depends on");
      if (pkg < 0 || deps < 0 || !header.contains("job")) {
        continue;
      }
      // Skip the |---|---| line, then read until the table ends.
      int j = i + 2;
      for (; j < lines.length && lines[j].trim().startsWith("|"); j++) {
        List<String> cells = cells(lines[j]);
        List<String> names = names(cells.size() > pkg ? cells.get(pkg) : "");
        if (names.size() != 1) {
          throw new IllegalArgumentException("ARCHITECTURE.md:" + (j + 1)
              + ": a package row needs exactly one `name` in its package column, found " + names);
        }
        rows.add(new Row(names.get(0), names(cells.size() > deps ? cells.get(deps) : ""), j + 1));
      }
      i = j;
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(
          "no table with the header | package | job | depends on | was found");
    }
    List<String> seen = new ArrayList<>();
    for (Row r : rows) {
      if (seen.contains(r.name())) {
        throw new IllegalArgumentException(
            "ARCHITECTURE.md:" + r.line() + ": package `" + r.name() + "` has two rows");
      }
      seen.add(r.name());
    }
    return new PackageTable(rows);
  }

  /** The most specific row covering the (fully qualified) Java package, if any. */
  Optional<Row> rowOf(String javaPackage) {
    return rows.stream().filter(r -> r.covers(javaPackage))
        .max(Comparator.comparingInt(Row::specificity));
  }

  /** True when {@code name} (table notation) covers the fully qualified {@code javaPackage}. */
  static boolean matches(String name, String javaPackage) {
    if (name.endsWith("..")) {
      String base = ROOT + "." + name.substring(0, name.length() - 2);
      return javaPackage.equals(base) || javaPackage.startsWith(base + ".");
    }
    return javaPackage.equals(ROOT + "." + name);
  }

  /** The cells of a table line, split on unescaped {@code |}, trimmed and lower-cased. */
  private static List<String> cells(String line) {
    String t = line.trim();
    List<String> cells = new ArrayList<>();
    if (!t.startsWith("|")) {
      return cells;
    }
    // Markdown escapes a | inside a cell (even inside a code span) as \|.
    for (String c : t.substring(1).split("(?<!\\\\)\\|", -1)) {
      cells.add(c.trim().toLowerCase(Locale.ROOT));
    }
    return cells;
  }

  private static List<String> names(String cell) {
    List<String> names = new ArrayList<>();
    Matcher m = NAME.matcher(cell);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
