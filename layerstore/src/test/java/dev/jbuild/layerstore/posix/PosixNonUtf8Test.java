package dev.jbuild.layerstore.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@link Posix} call reaches a file whose name is not valid UTF-8 ({@code caf\xe9}): the
 * path goes to libc as its own bytes, not as {@code toString()} ({@code caf\uFFFD}, another
 * file). Before, each of these failed with ENOENT or, worse, acted on the other file.
 */
class PosixNonUtf8Test {
  @TempDir Path tmp;

  private Path latin1(String percentName) {
    return Path.of(URI.create("file://" + tmp.toAbsolutePath() + "/" + percentName));
  }

  @Test
  void everyCall_reachesTheFileByItsBytes() throws Exception {
    Path file = Files.writeString(latin1("caf%E9"), "x");
    // The string form names a different file; make it so that a wrong call would be seen.
    Path decoy = Files.writeString(tmp.resolve(file.getFileName().toString()), "decoy");
    assertTrue(!decoy.equals(file));

    assertEquals(1, Posix.lstat(file).size());
    Posix.chmod(file, 04711);
    assertEquals(04711, Posix.lstat(file).mode() & 07777);
    Posix.lsetTimes(file, 1_000_000, 5);
    assertEquals(1_000_000, Posix.lstat(file).mtimeSec());
    Posix.lsetModifiedTime(file, 2_000_000, 0);
    assertEquals(2_000_000, Posix.lstat(file).mtimeSec());
    Posix.lsetxattr(file, "user.k", "v".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("user.k"), Posix.llistxattr(file));
    assertArrayEquals("v".getBytes(StandardCharsets.UTF_8),
        Posix.lgetxattr(file, "user.k").orElseThrow());
    Posix.lremovexattr(file, "user.k");
    assertEquals(List.of(), Posix.llistxattr(file));
    assertTrue(Posix.birthTimeNanos(file) != 0);
    if (Posix.isRoot()) {
      Posix.lchown(file, 1234, 5678);
      assertEquals(1234, Posix.lstat(file).uid());
      assertEquals(5678, Posix.lstat(file).gid());
    }
    // The decoy was never touched.
    assertEquals(5, Posix.lstat(decoy).size());
    assertEquals(List.of(), Posix.llistxattr(decoy));
    assertTrue((Posix.lstat(decoy).mode() & 07000) == 0);
  }

  @Test
  void mknod_createsTheNameItWasGiven() throws Exception {
    assumeTrue(Posix.isRoot() && !Posix.inUserNamespace(), "whiteouts need CAP_MKNOD");
    Path wh = latin1("gone%FF");
    Posix.mkwhiteout(wh);
    assertEquals(Posix.S_IFCHR, Posix.lstat(wh).format());
    try (var list = Files.list(tmp)) {
      assertEquals(List.of(tmp.toUri().getRawPath() + "gone%FF"),
          list.map(p -> p.toUri().getRawPath()).toList());
    }
  }

  @Test
  void missingFile_isNoSuchFile_namedAsJavaPrintsIt() {
    Path missing = latin1("none%E9");
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Posix.lstat(missing));
    assertEquals(missing.toString(), e.getFile());
  }
}
