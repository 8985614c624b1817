package dev.jbuild.layerstore.fs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Directories only their owner may enter (mode 0700), for everything that holds unpacked image
 * content: an image's setuid-root binary in a snapshot must not be reachable, and so not
 * executable, by other local users (issue #10 item 2). Docker keeps {@code /var/lib/docker} and
 * its {@code overlay2}, {@code image} and {@code containers} directories closed the same way
 * (0710/0700, moby {@code daemon/daemon_unix.go} {@code setupDaemonRoot}).
 *
 * <p>Containers are not affected: overlay lowerdirs, upperdirs and bind sources are resolved by
 * root when the runner mounts them, and later access through the mount never walks the host path
 * again. Thread-safe (stateless).
 */
public final class PrivateDirs {
  /** {@code rwx------}. */
  public static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private PrivateDirs() {}

  /**
   * Creates {@code dir} with mode 0700 from the start (no window in which it is open), creating
   * missing parents with the default mode. An existing directory is left as it is (see {@link
   * #restrict}).
   *
   * @return {@code dir}
   */
  public static Path create(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      // Set again because the umask applies to the creation mode (0277 would leave it 0500).
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      Files.setPosixFilePermissions(dir, OWNER_ONLY);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
      // Made concurrently by another thread or process, which made it private too.
    }
    return dir;
  }

  /**
   * Sets mode 0700 on those of {@code dirs} that exist and grant anything to group or others
   * (symbolic links are not followed; a link is left alone).
   *
   * @return the directories that were changed, in order
   * @throws IOException "Tried to restrict X to its owner but failed because: ..." when a mode
   *     cannot be changed (for example when another user owns the directory)
   */
  public static List<Path> restrict(List<Path> dirs) throws IOException {
    List<Path> changed = new ArrayList<>();
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      Set<PosixFilePermission> mode =
          Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
      if (mode.stream().noneMatch(GROUP_OR_OTHERS::contains)) {
        continue;
      }
      try {
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
      } catch (IOException e) {
        throw new IOException("Tried to restrict " + dir + " to its owner but failed because: "
            + e + " (run chmod 700 " + dir + " as its owner)", e);
      }
      changed.add(dir);
    }
    return changed;
  }
}
