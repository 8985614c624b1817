package dev.jbuild.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The mount points of this process, from {@code /proc/self/mountinfo}. */
final class MountPoints {
  private MountPoints() {}

  /**
   * The mount points strictly below {@code root}, relative to it, as {@code mountinfo} lists
   * them (field 5, with its octal escapes of space, tab, newline and backslash decoded).
   *
   * @throws IOException if {@code mountinfo} cannot be read
   */
  static List<String> under(Path root, Path mountinfo) throws IOException {
    List<String> result = new ArrayList<>();
    for (String line : Files.readAllLines(mountinfo)) {
      String[] fields = line.split(" ");
      if (fields.length < 5) {
        continue;
      }
      Path point = Path.of(decode(fields[4]));
      if (point.startsWith(root) && !point.equals(root)) {
        String rel = root.relativize(point).toString();
        if (!result.contains(rel)) {
          result.add(rel);
        }
      }
    }
    return result;
  }

  /** Undoes the kernel's {@code \ooo} escapes. */
  static String decode(String field) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()
          && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
