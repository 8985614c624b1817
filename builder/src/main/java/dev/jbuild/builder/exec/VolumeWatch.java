package dev.jbuild.builder.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Notices that a RUN step in an in-place root wrote into a volume of the surrounding container
 * (a docker volume at {@code /out}, the build context, a cache dir). The walking diff keeps away
 * from volumes (they belong to the host), so those writes are silently not part of the image;
 * Kaniko ignores them silently too ({@code --ignore-path}). jbuild warns instead of refusing: a
 * step may write to a volume on purpose (a report, a cache), and refusing would fail builds that
 * work elsewhere, while a silent loss is what surprises users.
 *
 * <p>Cheap by design: one {@code lstat} per volume before and after the step, no walk. A volume's
 * top directory changes its mtime and ctime when an entry directly in it is created, removed or
 * renamed, and a file volume when written; a write to an existing file deeper inside a volume is
 * not noticed.
 */
final class VolumeWatch {
  private final Path root;
  private final Map<String, Object> before;

  private VolumeWatch(Path root, Map<String, Object> before) {
    this.root = root;
    this.before = before;
  }

  /**
   * Records the volumes' state.
   *
   * @param volumes mount points under {@code root}, relative to it
   * @param skip paths jbuild itself writes to while a step runs (the store): a volume holding one
   *     of them, or inside one, is not watched
   */
  static VolumeWatch start(Path root, List<String> volumes, List<Path> skip) {
    Map<String, Object> state = new LinkedHashMap<>();
    for (String volume : volumes) {
      Path point = root.resolve(volume).toAbsolutePath().normalize();
      boolean jbuilds = skip.stream().map(p -> p.toAbsolutePath().normalize())
          .anyMatch(p -> p.startsWith(point) || point.startsWith(p));
      if (!jbuilds) {
        state.put(volume, stamp(point));
      }
    }
    return new VolumeWatch(root, state);
  }

  /** The watched volumes whose top changed since {@link #start}, as absolute paths in the root. */
  List<String> changed() {
    List<String> result = new ArrayList<>();
    before.forEach((volume, stamp) -> {
      if (!Objects.equals(stamp, stamp(root.resolve(volume)))) {
        result.add("/" + volume);
      }
    });
    return result;
  }

  /**
   * The one-line warning for {@code changed}, or null when it is empty.
   *
   * @param label the step, for example {@code [3/4] RUN make}
   */
  static String warning(String label, List<String> changed) {
    if (changed.isEmpty()) {
      return null;
    }
    String which = changed.size() == 1 ? changed.get(0) + ", which is a volume"
        : String.join(", ", changed.subList(0, changed.size() - 1)) + " and "
            + changed.get(changed.size() - 1) + ", which are volumes";
    return "WARN: " + label + ": RUN wrote to " + which + " of the executor container; those"
        + " changes are not part of the image";
  }

  /** Inode, mtime, ctime and size; a string so that a vanished volume compares unequal. */
  private static Object stamp(Path path) {
    try {
      Map<String, Object> a = Files.readAttributes(path, "unix:ino,lastModifiedTime,ctime,size",
          LinkOption.NOFOLLOW_LINKS);
      return a.get("ino") + " " + a.get("lastModifiedTime") + " " + a.get("ctime") + " "
          + a.get("size");
    } catch (IOException | UnsupportedOperationException e) {
      return "unreadable: " + e.getClass().getSimpleName();
    }
  }
}
