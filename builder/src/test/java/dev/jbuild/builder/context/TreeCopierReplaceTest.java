package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link TreeCopier}'s regular-file path, which creates targets exclusively without
 * looking first and checks parent directories once per directory: whatever the upperdir already
 * holds at a target (a file, a symlink leading out of it, a directory) is replaced and never
 * written through, and a directory replaced during the same COPY is not taken for one any more.
 * Root: sets owners.
 */
@Tag("root")
class TreeCopierReplaceTest {
  private static final FileTime OLD = FileTime.fromMillis(1_500_000_000_123L);
  @TempDir Path tmp;
  Path context;
  Path upper;
  UpperDirWriter writer;

  @BeforeEach
  void setUp() throws IOException {
    context = Files.createDirectories(tmp.resolve("ctx"));
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    upper = Files.createDirectories(tmp.resolve("upper"));
    writer = new UpperDirWriter(upper, new LayeredRootfs(List.of(lower), p -> false));
  }

  private void copy(List<String> sources, String dest) throws IOException {
    new TreeCopier(DirectorySource.context(context, DockerIgnore.empty()),
        ChecksumCache.inMemory()).copy(sources, dest, writer, null, null);
  }

  private Path file(String rel, String content, int mode) throws IOException {
    Path p = context.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    Files.setAttribute(p, "unix:mode", mode);
    Files.setLastModifiedTime(p, OLD);
    return p;
  }

  @Test
  void fileOverAFileAlreadyInTheUpperdir_replacesContentModeAndTime() throws IOException {
    file("f", "new", 0640);
    Files.createDirectories(upper.resolve("dst"));
    Files.writeString(upper.resolve("dst/f"), "old content that is longer");
    Files.setAttribute(upper.resolve("dst/f"), "unix:mode", 0777);
    copy(List.of("f"), "/dst/");
    assertEquals("new", Files.readString(upper.resolve("dst/f")));
    FileAttrs a = FileAttrs.read(upper.resolve("dst/f"));
    assertEquals(0640, a.mode());
    assertEquals(OLD, a.mtime(), "the source's mtime to the nanosecond");
  }

  @Test
  void fileOverASymlinkLeadingOutOfTheUpperdir_replacesTheLinkAndNeverWritesItsTarget()
      throws IOException {
    file("f", "attacker wants this outside", 0644);
    Path outside = Files.writeString(tmp.resolve("outside"), "untouched");
    Files.createDirectories(upper.resolve("dst"));
    Files.createSymbolicLink(upper.resolve("dst/f"), outside);
    Files.createSymbolicLink(upper.resolve("dst/g"), tmp.resolve("missing"));
    Files.copy(context.resolve("f"), context.resolve("g"));
    copy(List.of("f", "g"), "/dst/");
    assertEquals("untouched", Files.readString(outside));
    assertFalse(Files.exists(tmp.resolve("missing"), LinkOption.NOFOLLOW_LINKS),
        "a dangling link is not followed either (O_EXCL)");
    assertTrue(Files.isRegularFile(upper.resolve("dst/f"), LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.isRegularFile(upper.resolve("dst/g"), LinkOption.NOFOLLOW_LINKS));
    assertEquals("attacker wants this outside", Files.readString(upper.resolve("dst/g")));
  }

  @Test
  void fileOverADirectoryAlreadyInTheUpperdir_replacesTheWholeTree() throws IOException {
    file("f", "file", 0644);
    Files.createDirectories(upper.resolve("dst/f/deep"));
    Files.writeString(upper.resolve("dst/f/deep/x"), "x");
    copy(List.of("f"), "/dst/");
    assertEquals("file", Files.readString(upper.resolve("dst/f")));
  }

  /**
   * One COPY of three sources: {@code a/x} is a directory, {@code b/x} a file that replaces it,
   * {@code c/x} a directory again. The writer must not keep believing {@code /dst/x} is the
   * directory it made for {@code a/x/k}.
   */
  @Test
  void directoryReplacedByAFileAndAgainByADirectory_inOneCopy() throws IOException {
    file("a/x/k", "k", 0644);
    file("b/x", "b", 0644);
    file("c/x/y", "y", 0600);
    file("c/x/z/w", "w", 0644);
    copy(List.of("a/", "b/", "c/"), "/dst/");
    assertTrue(Files.isDirectory(upper.resolve("dst/x"), LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(upper.resolve("dst/x/k")), "b's file replaced a's directory");
    assertEquals("y", Files.readString(upper.resolve("dst/x/y")));
    assertEquals(0600, FileAttrs.read(upper.resolve("dst/x/y")).mode());
    assertEquals("w", Files.readString(upper.resolve("dst/x/z/w")));
  }

  /**
   * A directory the writer made ({@code a/x}) is replaced by a symlink leading out of the
   * upperdir ({@code b/x}); a later write below {@code /dst/x} must see the link, not the
   * directory it remembers, and refuse rather than write through it.
   */
  @Test
  void directoryReplacedByASymlink_isNotWrittenThroughLater() throws IOException {
    file("a/x/k", "k", 0644);
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createDirectories(context.resolve("b"));
    Files.createSymbolicLink(context.resolve("b/x"), outside);
    file("f", "f", 0644);
    copy(List.of("a/", "b/"), "/dst/");
    assertTrue(Files.isSymbolicLink(upper.resolve("dst/x")));
    org.junit.jupiter.api.Assertions.assertThrows(java.nio.file.NotDirectoryException.class,
        () -> copy(List.of("f"), "/dst/x/evil"));
    assertFalse(Files.exists(outside.resolve("evil"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void bigEmptyAndSpecialModeFiles_areCopiedWhole() throws IOException {
    byte[] big = new byte[3 * 1024 * 1024 + 17];
    new Random(18).nextBytes(big);
    Files.createDirectories(context.resolve("s"));
    Files.write(context.resolve("s/big"), big);
    Files.setAttribute(context.resolve("s/big"), "unix:mode", 04755);
    file("s/empty", "", 02600);
    copy(List.of("s"), "/opt/");
    assertArrayEquals(big, Files.readAllBytes(upper.resolve("opt/big")));
    assertEquals(04755, FileAttrs.read(upper.resolve("opt/big")).mode(),
        "setuid survives the chown, which clears it");
    assertEquals(0, Files.size(upper.resolve("opt/empty")));
    assertEquals(02600, FileAttrs.read(upper.resolve("opt/empty")).mode());
    assertEquals(OLD, FileAttrs.read(upper.resolve("opt/empty")).mtime());
  }

  @Test
  void aTargetParentThatIsAFileInTheUpperdir_isRefused_notWrittenThrough() throws IOException {
    file("f", "f", 0644);
    Files.writeString(upper.resolve("dst"), "a file where a directory is wanted");
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> copy(List.of("f"), "/dst/sub/f"));
    assertTrue(e instanceof java.nio.file.NotDirectoryException, e.toString());
    assertEquals("a file where a directory is wanted", Files.readString(upper.resolve("dst")));
  }
}
