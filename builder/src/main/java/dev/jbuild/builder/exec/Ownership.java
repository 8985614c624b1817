package dev.jbuild.builder.exec;

import dev.jbuild.builder.fs.LayeredRootfs;
import java.io.IOException;
import java.util.Optional;

/**
 * Resolves {@code --chown=user[:group]} against the image's own {@code /etc/passwd} and {@code
 * /etc/group}, as BuildKit does: numeric ids are taken as they are; a user without a group gets
 * the user's primary group when the user is a name, else the same number.
 */
final class Ownership {
  private Ownership() {}

  /**
   * Returns {@code {uid, gid}}.
   *
   * @throws IOException when a name is not found in the image, naming the file searched
   */
  static int[] resolve(String spec, LayeredRootfs rootfs) throws IOException {
    String[] parts = spec.split(":", 2);
    String user = parts[0];
    String group = parts.length > 1 ? parts[1] : null;
    int uid;
    int gid;
    if (isNumeric(user)) {
      uid = Integer.parseInt(user);
      gid = uid;
    } else {
      String[] entry = find(rootfs, "/etc/passwd", user)
          .orElseThrow(() -> new IOException("unable to find user " + user
              + ": no matching entries in passwd file"));
      uid = Integer.parseInt(entry[2]);
      gid = Integer.parseInt(entry[3]);
    }
    if (group != null && !group.isEmpty()) {
      if (isNumeric(group)) {
        gid = Integer.parseInt(group);
      } else {
        String[] entry = find(rootfs, "/etc/group", group)
            .orElseThrow(() -> new IOException("unable to find group " + group
                + ": no matching entries in group file"));
        gid = Integer.parseInt(entry[2]);
      }
    }
    return new int[] {uid, gid};
  }

  /** Parses {@code --chmod}'s octal form ({@code 755}, {@code 0644}). */
  static int parseOctalMode(String value) {
    if (value == null || !value.matches("[0-7]{1,4}")) {
      throw new IllegalArgumentException("invalid chmod parameter '" + value
          + "': only octal modes such as 0755 are supported yet");
    }
    return Integer.parseInt(value, 8);
  }

  private static Optional<String[]> find(LayeredRootfs rootfs, String file, String name)
      throws IOException {
    Optional<String> text = rootfs.readString(file);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    for (String line : text.get().split("\n")) {
      String[] fields = line.split(":", -1);
      if (fields.length >= 3 && fields[0].equals(name)
          && (!file.endsWith("passwd") || fields.length >= 4)) {
        return Optional.of(fields);
      }
    }
    return Optional.empty();
  }

  private static boolean isNumeric(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }
}
