package dev.jbuild.runner;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;

/**
 * Removes the mount-point stubs rrun created from the upperdir, so they never end up in a layer
 * (BuildKit executor/stubs.go). A stub is removed only if it is still an empty file or directory,
 * and its parent's mtime is restored only if nothing else changed the parent since.
 *
 * <p>Creating a stub in a directory that only existed in a lower layer copies that directory up
 * (e.g. {@code etc/} for an {@code /etc/hosts} stub). The copy stays in the upperdir, empty and
 * with its original metadata (overlayfs preserves it, and we restore the mtime), exactly as with
 * BuildKit; the differ must skip directories identical to the lower ones (BuildKit sameDirent).
 */
final class StubCleaner {
  private StubCleaner() {}

  static void clean(Path upperDir, List<HelperStatus.Stub> stubs) throws IOException {
    // Newest first: nested stubs (a dir created for a file) go before their parents, and each
    // parent's "after" mtime is the one left by the stub being undone.
    for (int i = stubs.size() - 1; i >= 0; i--) {
      undo(upperDir, stubs.get(i));
    }
  }

  private static void undo(Path upperDir, HelperStatus.Stub stub) throws IOException {
    String relative = stub.path().replaceFirst("^/+", "");
    if (relative.isEmpty() || relative.contains("..")) {
      return;
    }
    Path entry = upperDir.resolve(relative).normalize();
    Path parent = entry.getParent();
    // The container is gone, but it may have replaced a parent with a symlink: never follow one
    // out of the upperdir.
    if (!entry.startsWith(upperDir) || !isRealDirectoryChain(upperDir, parent)) {
      return;
    }
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return;
    }
    boolean empty = attrs.isRegularFile() ? attrs.size() == 0
        : attrs.isDirectory() && isEmptyDirectory(entry);
    if (!empty) {
      return;
    }
    FileTime parentBefore = Files.getLastModifiedTime(parent, LinkOption.NOFOLLOW_LINKS);
    Files.delete(entry);
    if (stub.parentMtimeAfter() != null && stub.parentMtimeBefore() != null
        && parentBefore.toInstant().equals(stub.parentMtimeAfter())) {
      Files.setLastModifiedTime(parent, FileTime.from(stub.parentMtimeBefore()));
    }
  }

  private static boolean isRealDirectoryChain(Path root, Path dir) {
    for (Path p = dir; p != null && p.startsWith(root); p = p.getParent()) {
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      if (p.equals(root)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }
}
