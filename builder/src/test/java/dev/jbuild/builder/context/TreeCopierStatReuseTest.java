package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.posix.Stat;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copier that computed the checksum copies with the stat data that checksum took (one {@code
 * statx} per file, not two): the same tree as a fresh copier gives, and a source swapped after
 * the checksum (a symlink out of the context, a directory, a FIFO) is never followed, read
 * through or waited on.
 */
class TreeCopierStatReuseTest {
  @TempDir Path tmp;
  Path context;
  Path lower;

  @BeforeEach
  void setUp() throws IOException {
    context = Files.createDirectories(tmp.resolve("ctx"));
    lower = Files.createDirectories(tmp.resolve("lower"));
    Files.createDirectories(context.resolve("dir/sub"));
    Files.writeString(context.resolve("dir/a"), "alpha");
    Files.writeString(context.resolve("dir/sub/b"), "beta");
    Files.setPosixFilePermissions(context.resolve("dir/sub/b"),
        PosixFilePermissions.fromString("rwxr-x---"));
    Files.setLastModifiedTime(context.resolve("dir/a"), FileTime.fromMillis(1_500_000_000_123L));
    Files.writeString(tmp.resolve("secret"), "outside the context");
  }

  private TreeCopier copier() {
    return new TreeCopier(DirectorySource.context(context, DockerIgnore.empty()),
        ChecksumCache.inMemory());
  }

  private UpperDirWriter writer(String name) throws IOException {
    return new UpperDirWriter(Files.createDirectories(tmp.resolve(name)),
        new LayeredRootfs(List.of(lower), p -> false));
  }

  @Test
  void checksumThenCopy_givesWhatAFreshCopierGives() throws IOException {
    TreeCopier reused = copier();
    String sum = reused.checksum(List.of("dir"));
    reused.copy(List.of("dir"), "/out/", writer("reused"), null, null);
    copier().copy(List.of("dir"), "/out/", writer("fresh"), null, null);
    assertEquals(sum, copier().checksum(List.of("dir")));
    // (not "out" itself: the copy creates it, with the time of the copy)
    for (String f : List.of("out/a", "out/sub", "out/sub/b")) {
      Stat r = Posix.lstat(tmp.resolve("reused/" + f));
      Stat n = Posix.lstat(tmp.resolve("fresh/" + f));
      assertEquals(n.mode(), r.mode(), f);
      assertEquals(n.mtimeNanos(), r.mtimeNanos(), f);
      assertEquals(n.size(), r.size(), f);
    }
    assertEquals("beta", Files.readString(tmp.resolve("reused/out/sub/b")));
    assertEquals(FileTime.fromMillis(1_500_000_000_123L),
        Files.getLastModifiedTime(tmp.resolve("reused/out/a")));
  }

  @Test
  void fileSwappedForASymlinkAfterTheChecksum_isNotFollowed() throws IOException {
    TreeCopier c = copier();
    c.checksum(List.of("dir"));
    Files.delete(context.resolve("dir/a"));
    Files.createSymbolicLink(context.resolve("dir/a"), tmp.resolve("secret"));
    UpperDirWriter w = writer("upper");
    assertThrows(IOException.class, () -> c.copy(List.of("dir"), "/out/", w, null, null));
    Path a = tmp.resolve("upper/out/a");
    assertFalse(Files.exists(a, LinkOption.NOFOLLOW_LINKS)
        && Files.isRegularFile(a, LinkOption.NOFOLLOW_LINKS) && Files.size(a) > 0,
        "no bytes from outside the context");
  }

  @Test
  void fileSwappedForADirectoryAfterTheChecksum_fails() throws IOException {
    TreeCopier c = copier();
    c.checksum(List.of("dir"));
    Files.delete(context.resolve("dir/a"));
    Files.createDirectory(context.resolve("dir/a"));
    UpperDirWriter w = writer("upper");
    assertThrows(IOException.class, () -> c.copy(List.of("dir"), "/out/", w, null, null));
  }

  @Test
  void fileSwappedForAFifoAfterTheChecksum_isNotWaitedOn() throws Exception {
    TreeCopier c = copier();
    c.checksum(List.of("dir"));
    Files.delete(context.resolve("dir/a"));
    Process mkfifo = new ProcessBuilder("mkfifo", context.resolve("dir/a").toString())
        .inheritIO().start();
    assertEquals(0, mkfifo.waitFor());
    // No writer ever opens the FIFO: a blocking open would wait for one forever. The copy
    // either fails or copies nothing; it returns either way.
    UpperDirWriter w = writer("upper");
    try {
      c.copy(List.of("dir"), "/out/", w, null, null);
      assertEquals(0, Files.size(tmp.resolve("upper/out/a")));
      assertArrayEquals("beta".getBytes(), Files.readAllBytes(tmp.resolve("upper/out/sub/b")));
    } catch (IOException e) {
      assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
    }
  }
}
