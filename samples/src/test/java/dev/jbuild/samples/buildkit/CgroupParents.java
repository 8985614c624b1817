package dev.jbuild.samples.buildkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The parent cgroups of the suite's {@code cgroup-parent NAME [FILE=VALUE...]} lines, as
 * BuildKit's testCgroupParent makes one ({@code /sys/fs/cgroup/test.<id>} with {@code pids.max}):
 * a unique name starting with NAME, its files written before the build, and every hierarchy's
 * directory of that name removed when the case ends. On a v1 or hybrid host a file goes to its
 * controller's hierarchy ({@code pids.max} to {@code /sys/fs/cgroup/pids/<name>}); on a v2 host
 * to {@code /sys/fs/cgroup/<name>}.
 */
final class CgroupParents implements AutoCloseable {
  private static final Path ROOT = Path.of("/sys/fs/cgroup");
  private final List<String> made = new ArrayList<>();

  /**
   * Makes a parent cgroup named {@code prefix.<random>} with {@code files} ({@code FILE=VALUE})
   * written, and returns its name (relative to the hierarchies' roots).
   */
  String make(String prefix, List<String> files) throws IOException {
    String name = prefix + "." + UUID.randomUUID().toString().substring(0, 8);
    made.add(name);
    boolean unified = Files.exists(ROOT.resolve("cgroup.subtree_control"));
    for (String f : files) {
      int eq = f.indexOf('=');
      String file = f.substring(0, eq);
      Path hierarchy = unified ? ROOT : ROOT.resolve(file.substring(0, file.indexOf('.')));
      Path dir = Files.createDirectories(hierarchy.resolve(name));
      Files.writeString(dir.resolve(file), f.substring(eq + 1), StandardCharsets.US_ASCII);
    }
    return name;
  }

  /**
   * The {@code memory BYTES} and {@code cgroup-parent NAME [FILE=VALUE...]} lines of one build as
   * {@code --memory} and {@code --cgroup-parent} (the parent made first), or null for none.
   */
  dev.jbuild.builder.exec.BuildOptions.Limits limits(List<SuiteCase.Line> setup)
      throws IOException {
    long memory = 0;
    String parent = null;
    for (SuiteCase.Line l : setup) {
      if (l.keyword().equals("memory")) {
        memory = Long.parseLong(l.word(0));
      } else if (l.keyword().equals("cgroup-parent")) {
        parent = make(l.word(0), l.words().subList(1, l.words().size()));
      }
    }
    return memory == 0 && parent == null ? null
        : new dev.jbuild.builder.exec.BuildOptions.Limits(memory, 0, 0, parent);
  }

  /** Removes every hierarchy's directory of each parent made (the runs' cgroups are gone). */
  @Override
  public void close() throws IOException {
    List<Path> hierarchies = new ArrayList<>(List.of(ROOT));
    try (Stream<Path> list = Files.list(ROOT)) {
      list.filter(Files::isDirectory).forEach(hierarchies::add);
    }
    IOException failed = null;
    for (String name : made) {
      for (Path h : hierarchies) {
        try {
          // rmdir: a cgroup's files are the kernel's; an empty cgroup goes with its directory.
          Files.delete(h.resolve(name));
        } catch (NoSuchFileException gone) {
          // Not in this hierarchy, or one mounted twice (cpu -> cpu,cpuacct).
        } catch (java.nio.file.FileSystemException e) {
          failed = failed != null ? failed : new IOException("Tried to remove the test's parent"
              + " cgroup " + h.resolve(name) + " but failed because: " + e.getMessage(), e);
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
  }
}
