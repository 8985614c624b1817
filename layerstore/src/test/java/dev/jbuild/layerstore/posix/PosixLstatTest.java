package dev.jbuild.layerstore.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Posix#lstat} (one {@code statx}) gives exactly what NIO's attribute map gives for the
 * same file, for every file type, and fails as NIO does.
 */
class PosixLstatTest {
  @TempDir Path tmp;

  private static void assertSameAsNio(Path p) throws IOException {
    Stat fast = Posix.lstat(p);
    assertEquals(Posix.nioStat(p), fast, p.toString());
    // The derived times are NIO's FileTime values, to the nanosecond.
    FileTime nio = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
    assertEquals(nio, fast.mtime());
    assertEquals(nio.to(TimeUnit.NANOSECONDS), fast.mtimeNanos());
    assertEquals(((FileTime) Files.getAttribute(p, "unix:ctime", LinkOption.NOFOLLOW_LINKS))
        .to(TimeUnit.NANOSECONDS), fast.ctimeNanos());
  }

  @Test
  void everyFileType_matchesNio() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "hello");
    Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_600_000_000L, 123_456_789)));
    Path whole = Files.writeString(tmp.resolve("whole-second"), "");
    Files.setLastModifiedTime(whole, FileTime.from(1_500_000_000L, TimeUnit.SECONDS));
    Path old = Files.writeString(tmp.resolve("before-1970"), "");
    Files.setLastModifiedTime(old, FileTime.from(Instant.ofEpochSecond(-86_400L, 5)));
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), file);
    Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("nothing"));
    Path hard = Files.createLink(tmp.resolve("hard"), file);
    for (Path p : new Path[] {file, whole, old, dir, link, dangling, hard, tmp}) {
      assertSameAsNio(p);
    }
    assertEquals(Posix.S_IFLNK, Posix.lstat(link).format(), "a final symlink is not followed");
    assertEquals(2, Posix.lstat(hard).nlink());
    assertEquals(5, Posix.lstat(file).size());
    assertEquals(Posix.S_IFDIR, Posix.lstat(dir).format());
  }

  @Test
  void fifosAndHostDevices_matchNio() throws Exception {
    Path fifo = tmp.resolve("fifo");
    Posix.mknod(fifo, Posix.S_IFIFO | 0600, 0, 0);
    assertSameAsNio(fifo);
    assertSameAsNio(Path.of("/dev/null"));
  }

  @Test
  void deviceWithLargeNumbers_rdevPacksAsGlibc() throws Exception {
    assumeTrue(Posix.isRoot() && !Posix.inUserNamespace(), "mknod of a device needs real root");
    Path dev = tmp.resolve("dev");
    Posix.mknod(dev, Posix.S_IFCHR | 0600, 4095, 300_000);
    assertSameAsNio(dev);
    assertEquals(4095, Posix.major(Posix.lstat(dev).rdev()));
    assertEquals(300_000, Posix.minor(Posix.lstat(dev).rdev()));
  }

  @Test
  void nameThatIsNotUtf8_isStatted() throws Exception {
    // A name made of the byte 0xff, which no String can name: only NIO's own path bytes reach it.
    Process p = new ProcessBuilder("bash", "-c", "printf hi > \"$(printf '\\377')\"")
        .directory(tmp.toFile()).start();
    assertEquals(0, p.waitFor());
    try (var list = Files.list(tmp)) {
      Path odd = list.findFirst().orElseThrow();
      assertSameAsNio(odd);
      assertEquals(2, Posix.lstat(odd).size());
    }
  }

  @Test
  void missingOrBadPaths_failAsNio() throws Exception {
    assertThrows(NoSuchFileException.class, () -> Posix.lstat(tmp.resolve("missing")));
    Path file = Files.writeString(tmp.resolve("file"), "x");
    // A file used as a directory: ENOTDIR, worded with the call and the path.
    IOException e = assertThrows(IOException.class, () -> Posix.lstat(file.resolve("below")));
    assertTrue(e.getMessage().contains("statx") && e.getMessage().contains("below"),
        e.getMessage());
  }
}
