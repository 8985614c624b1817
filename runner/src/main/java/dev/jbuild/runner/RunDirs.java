package dev.jbuild.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The per-run scratch dirs of a {@link ContainerRunner}: {@code /run/jbuild/runs/<run-id>} (a
 * tmpfs, where creating and deleting them is cheap) or {@code <stateDir>/runs/<run-id>} on hosts
 * without {@code /run}. Each holds the rootfs mount point, the generated {@code /etc} files and
 * rrun's status file; its name carries the owning JVM's pid ({@link Owners}), so dirs of dead
 * JVMs can be swept. Thread-safe: holds only paths.
 */
final class RunDirs {
  private static final Path TMPFS_RUNS = Path.of("/run/jbuild/runs");

  private final Path stateDir;
  private final Path root;

  RunDirs(Path stateDir) {
    this(stateDir, false);
  }

  /**
   * With {@code rootless} the runs go under {@code $XDG_RUNTIME_DIR/jbuild/runs} (the user's own
   * tmpfs) when it is set and writable, else under the state dir: {@code /run/jbuild} belongs to
   * the host's root.
   */
  RunDirs(Path stateDir, boolean rootless) {
    this.stateDir = stateDir;
    if (rootless) {
      String xdg = System.getenv("XDG_RUNTIME_DIR");
      this.root = xdg != null && xdg.startsWith("/") && Files.isWritable(Path.of(xdg))
          ? Path.of(xdg, "jbuild", "runs") : stateDir.resolve("runs");
    } else {
      this.root = Files.isDirectory(TMPFS_RUNS.getParent().getParent()) ? TMPFS_RUNS
          : stateDir.resolve("runs");
    }
  }

  /** The directory the run dirs are made in. */
  Path root() {
    return root;
  }

  /**
   * Removes the run dirs whose owning JVM is gone, under both possible roots.
   *
   * @return the names removed
   */
  List<String> sweep() {
    List<String> removed = new ArrayList<>();
    for (Path runs : List.of(root, stateDir.resolve("runs"))) {
      sweep(runs, removed);
    }
    return removed;
  }

  private static void sweep(Path runs, List<String> removed) {
    if (Files.isDirectory(runs)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(runs)) {
        for (Path entry : entries) {
          if (Owners.isStale(entry.getFileName().toString())) {
            delete(entry);
            removed.add(entry.getFileName().toString());
          }
        }
      } catch (IOException e) {
        // A later sweep retries; the dirs hold only small generated files.
      }
    }
  }

  /**
   * Makes {@code dir} (and missing parents) and gives it mode 0700: run dirs hold each
   * container's rootfs mount point and generated files, and only root, which mounts them, needs
   * to reach them (issue #10 item 2).
   */
  static void ownerOnly(Path dir) throws IOException {
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rwx------");
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir.getParent());
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(ownerOnly));
      } catch (FileAlreadyExistsException e) {
        // Made concurrently by another runner.
      }
    }
    if (!Files.getPosixFilePermissions(dir).equals(ownerOnly)) {
      Files.setPosixFilePermissions(dir, ownerOnly);
    }
  }

  /** Writes hosts, resolv.conf and hostname; returns all bind mounts, generated ones first. */
  static List<BindMount> prepare(ContainerSpec spec, Path runDir) throws IOException {
    Files.createDirectories(runDir.resolve("rootfs"));
    Path etc = Files.createDirectories(runDir.resolve("etc"));
    Path hosts = Files.writeString(etc.resolve("hosts"), EtcFiles.hosts(spec.hostname(), spec.sandbox().extraHosts()));
    Path resolv = Files.writeString(etc.resolve("resolv.conf"),
        EtcFiles.resolvConf(EtcFiles.hostResolvConf(), spec.network()), StandardCharsets.UTF_8);
    Path hostname = Files.writeString(etc.resolve("hostname"), EtcFiles.hostname(spec.hostname()));
    List<BindMount> mounts = new ArrayList<>();
    mounts.add(new BindMount(hosts, "/etc/hosts", true));
    mounts.add(new BindMount(resolv, "/etc/resolv.conf", true));
    mounts.add(new BindMount(hostname, "/etc/hostname", true));
    mounts.addAll(spec.mounts());
    return mounts;
  }

  /** rrun's status report in {@code statusFile}, or null if it wrote none or it cannot be read. */
  static HelperStatus readStatusQuietly(Path statusFile) {
    try {
      return Files.exists(statusFile)
          ? HelperStatus.parse(Files.readAllLines(statusFile, StandardCharsets.UTF_8)) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Deletes {@code dir} and everything under it; nothing if it does not exist. */
  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
