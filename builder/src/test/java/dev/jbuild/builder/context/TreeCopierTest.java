package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link TreeCopier}: COPY's destination rules and copy-up (root: sets owners). */
@Tag("root")
class TreeCopierTest {
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
    Files.createDirectories(context.resolve("src/sub"));
    Files.writeString(context.resolve("src/a.txt"), "a");
    Files.writeString(context.resolve("src/sub/b.txt"), "b");
    Files.writeString(context.resolve("one.sh"), "echo");
    Files.setAttribute(context.resolve("one.sh"), "unix:mode", 0750);
    Files.createDirectories(lower.resolve("app"));
    Files.setAttribute(lower.resolve("app"), "unix:mode", 0711);
    writer = new UpperDirWriter(upper, new LayeredRootfs(List.of(lower), p -> false));
  }

  private void copy(List<String> sources, String dest, int[] owner) throws IOException {
    new TreeCopier(DirectorySource.context(context, dev.jbuild.parser.ignore.DockerIgnore.empty()), ChecksumCache.inMemory())
        .copy(sources, dest, writer, owner, null);
  }

  @Test
  void directorySource_copiesItsContentsAndCopiesUpTheParent() throws IOException {
    FileTime mtime = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(context.resolve("src/sub"), mtime);
    copy(List.of("src"), "/app", new int[] {0, 0});
    assertEquals("a", Files.readString(upper.resolve("app/a.txt")));
    assertEquals("b", Files.readString(upper.resolve("app/sub/b.txt")));
    assertEquals(0711, FileAttrs.read(upper.resolve("app")).mode(), "copy-up keeps the mode");
    assertEquals(mtime, FileAttrs.read(upper.resolve("app/sub")).mtime(), "source mtime kept");
  }

  @Test
  void fileOntoExistingDirectory_landsInside_andKeepsMode() throws IOException {
    copy(List.of("one.sh"), "/app", new int[] {0, 0});
    assertEquals(0750, FileAttrs.read(upper.resolve("app/one.sh")).mode());
  }

  @Test
  void fileOntoNewPath_isRenamed_andTrailingSlashMakesADirectory() throws IOException {
    copy(List.of("one.sh"), "/opt/run.sh", new int[] {0, 0});
    assertTrue(Files.isRegularFile(upper.resolve("opt/run.sh")));
    copy(List.of("one.sh"), "/srv/", new int[] {0, 0});
    assertTrue(Files.isRegularFile(upper.resolve("srv/one.sh")));
  }

  @Test
  void wildcardsAndChown() throws IOException {
    copy(List.of("src/*.txt", "one.*"), "/dest", new int[] {1000, 1001});
    FileAttrs a = FileAttrs.read(upper.resolve("dest/a.txt"));
    assertEquals(1000, a.uid());
    assertEquals(1001, a.gid());
    assertTrue(Files.exists(upper.resolve("dest/one.sh")));
    assertEquals(1000, FileAttrs.read(upper.resolve("dest")).uid(), "created dirs get --chown");
  }

  @Test
  void sourcesCannotLeaveTheContext_andMissingOnesAreNamed() throws IOException {
    Files.writeString(tmp.resolve("secret"), "s");
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> copy(List.of("../secret"), "/x", new int[] {0, 0}));
    assertEquals("\"/secret\": not found in the build context", e.getMessage());
  }

  @Test
  void checksum_ignoresMtimesButSeesContentAndModes() throws IOException {
    TreeCopier copier =
        new TreeCopier(DirectorySource.context(context, dev.jbuild.parser.ignore.DockerIgnore.empty()), ChecksumCache.inMemory());
    String before = copier.checksum(List.of("src", "one.sh"));
    Files.setLastModifiedTime(context.resolve("src/a.txt"), FileTime.fromMillis(0));
    assertEquals(before, copier.checksum(List.of("src", "one.sh")));
    Files.writeString(context.resolve("src/a.txt"), "changed");
    String changed = copier.checksum(List.of("src", "one.sh"));
    assertTrue(!before.equals(changed));
    Files.setAttribute(context.resolve("one.sh"), "unix:mode", 0700);
    assertTrue(!changed.equals(copier.checksum(List.of("src", "one.sh"))));
  }

  @Test
  void symbolicChmod_appliesLikeChmod1() {
    assertEquals(0755, Chmod.parse("u=rwx,go=rx").apply(0600, false));
    assertEquals(0755, Chmod.parse("a+X").apply(0644, true));
    assertEquals(0644, Chmod.parse("a+X").apply(0644, false));
    assertEquals(0640, Chmod.parse("o-r").apply(0644, false));
    assertEquals(0750, Chmod.parse("750").apply(0644, false));
    assertThrows(IllegalArgumentException.class, () -> Chmod.parse("u+q"));
    assertTrue(!Files.exists(upper.resolve("x"), LinkOption.NOFOLLOW_LINKS));
  }
}
