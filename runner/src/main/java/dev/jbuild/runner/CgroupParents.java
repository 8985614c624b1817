package dev.jbuild.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cgroup parents ({@code --cgroup-parent}) a runner's state dir has put runs under, kept in
 * {@code <stateDir>/cgroup-parents}, one per line, so that a later runner's sweep can look for
 * the cgroups of crashed runs there too, not only under {@code jbuild/}. A parent is written
 * before its first run's cgroup is made, so a crash at any later point is covered. Lines that are
 * not a valid parent ({@link ResourceLimits#checkCgroupParent}) are ignored: the file steers
 * where the sweep removes cgroups, so nothing read from it may leave the hierarchies.
 * Thread-safe; several JVMs may append at once (one short {@code O_APPEND} write per parent).
 */
final class CgroupParents {
  /**
   * A run's cgroup as {@link ContainerRunner} names it: {@code run-<owner pid>-<12 hex>}. Under
   * a parent the user chose, other programs' cgroups may live; only this exact form is ours.
   */
  static final Pattern RUN_CGROUP = Pattern.compile("run-[0-9]+-[0-9a-f]{12}");

  private final Path file;
  private final Set<String> known = new LinkedHashSet<>();

  CgroupParents(Path stateDir) {
    this.file = stateDir.resolve("cgroup-parents");
  }

  /**
   * Records {@code parent} (already checked, relative) unless it is recorded already.
   *
   * @throws IOException if the file cannot be written; the run should not start then, as its
   *     cgroup could not be swept after a crash
   */
  synchronized void remember(String parent) throws IOException {
    if (known.contains(parent)) {
      return;
    }
    if (!list().contains(parent)) {
      Files.write(file, (parent + "\n").getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }
    known.add(parent);
  }

  /** The recorded parents that are valid {@code --cgroup-parent} values, without duplicates. */
  List<String> list() {
    Set<String> parents = new LinkedHashSet<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      // Unreadable or not UTF-8: nothing safe to sweep from it.
      return List.of();
    }
    for (String line : lines) {
      try {
        String parent = ResourceLimits.checkCgroupParent(line);
        if (parent != null && !parent.equals(Cgroup.PARENT)) {
          parents.add(parent);
        }
      } catch (IllegalArgumentException e) {
        // Not a parent we could have written: ignore it.
      }
    }
    return new ArrayList<>(parents);
  }
}
