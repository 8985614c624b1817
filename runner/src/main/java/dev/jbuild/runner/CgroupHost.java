package dev.jbuild.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How this host mounts cgroups, detected like crun's {@code detect_cgroup_mode} and runc's
 * {@code IsCgroup2UnifiedMode} (docs/runner.md §3).
 *
 * <ul>
 *   <li>{@link Mode#UNIFIED}: {@code /sys/fs/cgroup} is cgroup2; limits go into v2 files.
 *   <li>{@link Mode#HYBRID}: {@code /sys/fs/cgroup} is a tmpfs of v1 controllers and {@code
 *       unified} is cgroup2. Limits go into the v1 controllers (the v2 tree normally has none),
 *       and the container also gets a v2 cgroup so {@code cgroup.kill} can end it in one write.
 *   <li>{@link Mode#LEGACY}: v1 controllers only.
 * </ul>
 *
 * @param mode the layout
 * @param unified the cgroup2 mount point, or null on a legacy host
 * @param v1Mounts v1 hierarchies by mount point, each with its mount options naming the
 *     controllers (e.g. {@code cpu,cpuacct} or {@code name=systemd}); empty on a unified host
 */
record CgroupHost(Mode mode, Path unified, Map<Path, String> v1Mounts) {
  static final Path ROOT = Path.of("/sys/fs/cgroup");

  /** The three layouts of a Linux cgroup file system. */
  enum Mode { LEGACY, HYBRID, UNIFIED }

  CgroupHost {
    Objects.requireNonNull(mode, "mode");
    if ((mode == Mode.LEGACY) != (unified == null)) {
      throw new IllegalArgumentException("a " + mode + " host has " + (unified == null ? "no" : "a")
          + " unified mount");
    }
    v1Mounts = Map.copyOf(v1Mounts);
  }

  /** Detects the layout of {@code /sys/fs/cgroup} from statfs types and /proc/self/mountinfo. */
  static CgroupHost detect() throws IOException {
    if ("cgroup2".equals(Files.getFileStore(ROOT).type())) {
      return new CgroupHost(Mode.UNIFIED, ROOT, Map.of());
    }
    // Leniently decoded: any mount point name may be there, UTF-8 or not (issue #10 item 6), and
    // the cgroup mounts we look for are ASCII.
    Map<Path, String> v1 = v1Mounts(new String(
        Files.readAllBytes(Path.of("/proc/self/mountinfo")), StandardCharsets.UTF_8));
    Path unified = ROOT.resolve("unified");
    if (Files.isDirectory(unified) && "cgroup2".equals(Files.getFileStore(unified).type())) {
      return new CgroupHost(Mode.HYBRID, unified, v1);
    }
    return new CgroupHost(Mode.LEGACY, null, v1);
  }

  /** The v1 controller hierarchy holding {@code controller}, or null if it is not mounted. */
  Path v1Mount(String controller) {
    for (Map.Entry<Path, String> e : v1Mounts.entrySet()) {
      for (String option : e.getValue().split(",")) {
        if (option.equals(controller)) {
          return e.getKey();
        }
      }
    }
    return null;
  }

  /** Parses v1 cgroup mounts (mount point and controller options) out of a mountinfo text. */
  static Map<Path, String> v1Mounts(String mountinfo) {
    Map<Path, String> result = new LinkedHashMap<>();
    for (String line : mountinfo.split("\n")) {
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] pre = line.substring(0, dash).split(" ");
      String[] post = line.substring(dash + 3).split(" ");
      if (pre.length < 5 || post.length < 3 || !post[0].equals("cgroup")) {
        continue;
      }
      StringBuilder controllers = new StringBuilder();
      for (String option : post[2].split(",")) {
        // Super options also carry rw/ro and flags such as clone_children; keep the names.
        if (option.equals("rw") || option.equals("ro") || option.contains("=")
            && !option.startsWith("name=") || option.equals("clone_children")
            || option.equals("noprefix") || option.equals("xattr") || option.equals("cpuset_v2_mode")) {
          continue;
        }
        controllers.append(controllers.length() == 0 ? "" : ",").append(option);
      }
      result.putIfAbsent(Path.of(unescape(pre[4])), controllers.toString());
    }
    return result;
  }

  /** mountinfo escapes space, tab, newline and backslash as octal. */
  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
