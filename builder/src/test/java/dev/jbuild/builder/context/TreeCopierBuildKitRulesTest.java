package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TreeCopier} rules that BuildKit's Dockerfile tests pin (issue 14): {@code --parents}
 * with the {@code /./} pivot and {@code **}, created parents under {@code --chmod}, sockets, and
 * archives written through the destination's symlinks (root: sets owners).
 */
@Tag("root")
class TreeCopierBuildKitRulesTest {
  @TempDir Path tmp;
  Path context;
  Path lower;
  Path upper;
  UpperDirWriter writer;

  @BeforeEach
  void setUp() throws IOException {
    context = Files.createDirectories(tmp.resolve("ctx"));
    lower = Files.createDirectories(tmp.resolve("lower"));
    upper = Files.createDirectories(tmp.resolve("upper"));
    for (String f : List.of("test/a/b/c/d/foo", "test/a/b/c/d/e/bay", "test/a/b2/c/d/e/bar",
        "test/a/b/c2/d/e/baz", "test/a/b/c2/d/e2/baz")) {
      Files.createDirectories(context.resolve(f).getParent());
      Files.writeString(context.resolve(f), f);
    }
    writer = new UpperDirWriter(upper, new LayeredRootfs(List.of(lower), p -> false));
  }

  private TreeCopier copier() {
    return new TreeCopier(DirectorySource.context(context, DockerIgnore.empty()),
        ChecksumCache.inMemory());
  }

  private void parents(String source, String dest) throws IOException {
    copier().copy(List.of(source), dest, writer, null, null, true);
  }

  @Test
  void parents_keepTheWholePath_orWhatFollowsThePivot() throws IOException {
    parents("/test/a/b/./c/d", "/pivot/");
    assertTrue(Files.isRegularFile(upper.resolve("pivot/c/d/foo")));
    assertTrue(Files.isDirectory(upper.resolve("pivot/c/d/e")));
    assertFalse(Files.exists(upper.resolve("pivot/test")));
    parents("/test/a/b/c/d/.", "/whole/");
    assertTrue(Files.isRegularFile(upper.resolve("whole/test/a/b/c/d/foo")));
    parents("/test/a/./b/./c", "/double/");
    assertTrue(Files.isRegularFile(upper.resolve("double/b/c/d/foo")), "the first pivot counts");
  }

  @Test
  void parents_wildcardsOnBothSides_andDoubleStar() throws IOException {
    parents("/test/a/./*/c", "/w/");
    assertTrue(Files.isRegularFile(upper.resolve("w/b2/c/d/e/bar")));
    assertTrue(Files.isDirectory(upper.resolve("w/b/c/d/e")));
    parents("/test/a/b*/./c/**/e", "/dw/");
    assertTrue(Files.isRegularFile(upper.resolve("dw/c/d/e/bay")), "via b");
    assertTrue(Files.isRegularFile(upper.resolve("dw/c/d/e/bar")), "via b2");
    copier().copy(List.of("/test/a/b/c*/./d/**/baz", "/test/a/b*/./c/**/bar"), "/two/", writer,
        null, null, true);
    assertTrue(Files.isRegularFile(upper.resolve("two/d/e/baz")));
    assertTrue(Files.isRegularFile(upper.resolve("two/d/e2/baz")));
    assertFalse(Files.exists(upper.resolve("two/d/e/bay")));
    assertTrue(Files.isRegularFile(upper.resolve("two/c/d/e/bar")));
  }

  @Test
  void parents_missingWildcardCopiesNothing_missingPathIsAnError() throws IOException {
    parents("/test/a/b2*/c/nothing*", "/none/");
    assertTrue(Files.isDirectory(upper.resolve("none")));
    assertEquals(List.of(), List.of(upper.resolve("none").toFile().list()));
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> parents("/test/nonexistent-file", "/out/"));
    assertTrue(e.getMessage().startsWith("\"/test/nonexistent-file\": not found"),
        e.getMessage());
  }

  @Test
  void parents_checksumSeesFilesBelowDoubleStar() throws IOException {
    String before = copier().checksum(List.of("/test/a/b*/./c/**/e"), true);
    Files.writeString(context.resolve("test/a/b/c/d/e/bay"), "changed");
    assertFalse(before.equals(copier().checksum(List.of("/test/a/b*/./c/**/e"), true)));
  }

  @Test
  void chmod_givesCreatedParentsItsMode_existingParentsKeepTheirs() throws IOException {
    // testCopyChmod (current BuildKit): COPY --chmod=770 foo /parent/sub/foo makes a missing
    // /parent/sub 0770. BuildKit 0.8 made it 0755 (OracleTest pins that difference).
    Files.createDirectories(lower.resolve("parent"));
    Files.setAttribute(lower.resolve("parent"), "unix:mode", 0711);
    copier().copy(List.of("test/a/b/c/d/foo"), "/parent/sub/foo", writer, null,
        Chmod.parse("770"));
    assertEquals(0711, FileAttrs.read(upper.resolve("parent")).mode());
    assertEquals(0770, FileAttrs.read(upper.resolve("parent/sub")).mode());
    assertEquals(0770, FileAttrs.read(upper.resolve("parent/sub/foo")).mode());
  }

  @Test
  void chmod_createdDestinationDirectories_specialBitsDropped_symbolicStays0755()
      throws IOException {
    copier().copy(List.of("test/a/b/c"), "/d1/d2/", writer, new int[] {7, 8}, Chmod.parse("6750"));
    for (String d : List.of("d1", "d1/d2")) {
      FileAttrs a = FileAttrs.read(upper.resolve(d));
      assertEquals(List.of(0750, 7, 8), List.of(a.mode(), a.uid(), a.gid()), d);
    }
    copier().copy(List.of("test/a/b/c/d/foo"), "/sym/x/foo", writer, null,
        Chmod.parse("go-rwx"));
    assertEquals(0755, FileAttrs.read(upper.resolve("sym/x")).mode());
    // --chmod=0: the directory is created 0000 and the copy still fills it.
    copier().copy(List.of("test/a/b/c/d/foo", "test/a/b2"), "/none/", writer, null,
        Chmod.parse("0"));
    assertEquals(0, FileAttrs.read(upper.resolve("none")).mode());
    assertTrue(Files.isRegularFile(upper.resolve("none/foo")));
    assertTrue(Files.isRegularFile(upper.resolve("none/c/d/e/bar")));
    assertEquals(0755, TreeCopier.newDirectory(null, null).mode());
  }

  @Test
  void socket_becomesAnEmptyRegularFile() throws IOException {
    try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.bind(UnixDomainSocketAddress.of(context.resolve("socket.sock")));
    }
    copier().copy(List.of("."), "/", writer, null, null);
    Path copied = upper.resolve("socket.sock");
    assertTrue(Files.isRegularFile(copied, LinkOption.NOFOLLOW_LINKS));
    assertEquals(0, Files.size(copied));
  }

  @Test
  void throughDestinationSymlinks_writesIntoTheirTargetInsideTheRoot() throws IOException {
    // testDockerfileAddArchiveThroughAbsoluteSymlink: var/run -> /run in the layers below.
    Files.createDirectories(lower.resolve("run"));
    Files.createDirectories(lower.resolve("var"));
    Files.createSymbolicLink(lower.resolve("var/run"), Path.of("/run"));
    Path archive = Files.createDirectories(tmp.resolve("unpacked/var/run/act"));
    Files.writeString(archive.resolve("HEAD"), "ref");
    new TreeCopier(DirectorySource.of(tmp.resolve("unpacked"), true, "archive"),
        ChecksumCache.inMemory()).throughDestinationSymlinks()
        .copy(List.of("."), "/", writer, null, null);
    assertEquals("ref", Files.readString(upper.resolve("run/act/HEAD")));
    assertFalse(Files.exists(upper.resolve("var/run"), LinkOption.NOFOLLOW_LINKS),
        "the link below stays; nothing shadows it");
  }
}
