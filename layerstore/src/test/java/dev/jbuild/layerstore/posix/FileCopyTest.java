package dev.jbuild.layerstore.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileCopy#copyNew}: content, owner, all mode bits and mtime land on a new file; it never
 * writes through or over what is at the target, never follows a source symlink, and falls back
 * to read/write where {@code copy_file_range} is refused (another file system).
 */
class FileCopyTest {
  @TempDir Path tmp;

  private static boolean root() {
    return Posix.isRoot();
  }

  private static FileCopy.Result copy(Path src, Path dst, long size, int mode) throws Exception {
    return FileCopy.copyNew(src, dst, size, root() ? 123 : uid(src), root() ? 456 : gid(src),
        mode, 1_600_000_000L, 123_456_789);
  }

  private static int uid(Path p) throws Exception {
    return Posix.lstat(p).uid();
  }

  private static int gid(Path p) throws Exception {
    return Posix.lstat(p).gid();
  }

  @Test
  void copiesContentOwnerModeAndMtime() throws Exception {
    byte[] data = new byte[300_000]; // more than one read/write chunk
    new Random(18).nextBytes(data);
    Path src = Files.write(tmp.resolve("src"), data);
    for (int mode : new int[] {0644, 0600, 0777, 04755, 02711, 01700, 0}) {
      Path dst = tmp.resolve("dst-" + Integer.toOctalString(mode));
      assertEquals(FileCopy.Result.COPIED, copy(src, dst, data.length, mode));
      assertArrayEquals(data, Files.readAllBytes(dst));
      Stat s = Posix.lstat(dst);
      assertEquals(Posix.S_IFREG | mode, s.mode(), "mode " + Integer.toOctalString(mode));
      assertEquals(1_600_000_000L, s.mtimeSec());
      assertEquals(123_456_789, s.mtimeNsec());
      if (root()) {
        assertEquals(123, s.uid());
        assertEquals(456, s.gid());
      }
    }
  }

  @Test
  void emptyAndShrunkSources_copyWhatIsThere() throws Exception {
    Path empty = Files.write(tmp.resolve("empty"), new byte[0]);
    assertEquals(FileCopy.Result.COPIED, copy(empty, tmp.resolve("e"), 0, 0644));
    assertEquals(0, Files.size(tmp.resolve("e")));
    // The size the caller's lstat gave is larger than the file is now: what is there is copied.
    Path small = Files.writeString(tmp.resolve("small"), "abc");
    assertEquals(FileCopy.Result.COPIED, copy(small, tmp.resolve("s"), 1000, 0644));
    assertEquals("abc", Files.readString(tmp.resolve("s")));
    // Only the first `size` bytes when the file grew.
    assertEquals(FileCopy.Result.COPIED, copy(small, tmp.resolve("s2"), 2, 0644));
    assertEquals("ab", Files.readString(tmp.resolve("s2")));
  }

  @Test
  void somethingAtTheTarget_isLeftAlone() throws Exception {
    Path src = Files.writeString(tmp.resolve("src"), "new");
    Path file = Files.writeString(tmp.resolve("file"), "old");
    assertEquals(FileCopy.Result.EXISTS, copy(src, file, 3, 0644));
    assertEquals("old", Files.readString(file));
    // A symlink at the target (dangling or not) is never written through.
    Path outside = tmp.resolve("outside");
    Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), outside);
    assertEquals(FileCopy.Result.EXISTS, copy(src, dangling, 3, 0644));
    assertFalse(Files.exists(outside, LinkOption.NOFOLLOW_LINKS));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), file);
    assertEquals(FileCopy.Result.EXISTS, copy(src, link, 3, 0644));
    assertEquals("old", Files.readString(file));
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    assertEquals(FileCopy.Result.EXISTS, copy(src, dir, 3, 0644));
  }

  @Test
  void badSources_failWithTheCall() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), file);
    PosixException e = assertThrows(PosixException.class,
        () -> copy(link, tmp.resolve("a"), 1, 0644));
    assertEquals("open", e.call(), "a source symlink is not followed");
    assertFalse(Files.exists(tmp.resolve("a")), "nothing is created for a source that fails");
    e = assertThrows(PosixException.class,
        () -> copy(tmp.resolve("missing"), tmp.resolve("b"), 1, 0644));
    assertEquals(Posix.ENOENT, e.errno());
    assertTrue(e.getMessage().startsWith("Tried to open("), e.getMessage());
    // A missing target directory: the create fails (ENOENT), it is not "exists".
    e = assertThrows(PosixException.class,
        () -> copy(file, tmp.resolve("no/such/dir/c"), 1, 0644));
    assertEquals(Posix.ENOENT, e.errno());
  }

  @Test
  void aDefaultAclOnTheParent_doesNotDecideTheMode() throws Exception {
    // A directory with a default ACL (a base layer's directory can carry one) gives a new file
    // the ACL's bits instead of the umask's: u::rw-, g::---, o::--- turns 0644 into 0600, so
    // the copy must always set the mode it was given. system.posix_acl_default, version 2:
    // entries of (u16 tag, u16 perm, u32 id), USER_OBJ 0x01, GROUP_OBJ 0x04, OTHER 0x20.
    Path dir = Files.createDirectory(tmp.resolve("acl"));
    java.nio.ByteBuffer acl = java.nio.ByteBuffer.allocate(4 + 3 * 8)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    acl.putInt(2);
    acl.putShort((short) 0x01).putShort((short) 6).putInt(-1);
    acl.putShort((short) 0x04).putShort((short) 0).putInt(-1);
    acl.putShort((short) 0x20).putShort((short) 0).putInt(-1);
    Posix.lsetxattr(dir, "system.posix_acl_default", acl.array());
    Path src = Files.writeString(tmp.resolve("src"), "x");
    Path dst = dir.resolve("dst");
    assertEquals(FileCopy.Result.COPIED, copy(src, dst, 1, 0644));
    assertEquals(Posix.S_IFREG | 0644, Posix.lstat(dst).mode());
  }

  @Test
  void aFifoSource_isNotWaitedOn() throws Exception {
    // What a source swapped for a FIFO after the caller's lstat looks like: no writer ever
    // comes, and a blocking open would wait for one forever.
    Path fifo = tmp.resolve("fifo");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, p.waitFor());
    assertEquals(FileCopy.Result.COPIED, copy(fifo, tmp.resolve("f"), 100, 0644));
    assertEquals(0, Files.size(tmp.resolve("f")));
  }

  @Test
  void nonAsciiPaths_areLeftToNio() throws Exception {
    Path src = Files.writeString(tmp.resolve("s\u00e9"), "x");
    Path dst = tmp.resolve("d\u00e9");
    assertEquals(FileCopy.Result.UNSUPPORTED, copy(src, dst, 1, 0644));
    assertFalse(Files.exists(dst));
  }

  @Test
  void anotherFileSystem_fallsBackToReadWrite() throws Exception {
    // copy_file_range between an ext4 and a tmpfs is refused (EXDEV) by current kernels; the
    // copy must still be whole. Skipped only where /dev/shm is not a writable tmpfs.
    Path shm = Path.of("/dev/shm");
    assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm));
    byte[] data = new byte[200_000];
    new Random(7).nextBytes(data);
    Path src = Files.write(tmp.resolve("src"), data);
    Path dir = Files.createTempDirectory(shm, "jbuild-filecopy-");
    try {
      Path dst = dir.resolve("dst");
      assertEquals(FileCopy.Result.COPIED, copy(src, dst, data.length, 0640));
      assertArrayEquals(data, Files.readAllBytes(dst));
      assertEquals(Posix.S_IFREG | 0640, Posix.lstat(dst).mode());
      Files.delete(dst);
    } finally {
      Files.deleteIfExists(dir);
    }
  }
}
