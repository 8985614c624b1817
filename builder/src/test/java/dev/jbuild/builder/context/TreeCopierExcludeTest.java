package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code COPY --exclude} through {@link TreeCopier#excluding}: patterns match paths relative to
 * each source (each wildcard match on its own), never the source itself, as BuildKit's copy does
 * (tonistiigi/fsutil copy.go; the rules of BuildKit's testExcludedFilesOnCopy, which the samples'
 * BuildKit suite runs whole). Root: copies set owners.
 */
@Tag("root")
class TreeCopierExcludeTest {
  @TempDir Path tmp;
  Path context;
  Path upper;
  UpperDirWriter writer;

  @BeforeEach
  void setUp() throws IOException {
    context = Files.createDirectories(tmp.resolve("ctx"));
    upper = Files.createDirectories(tmp.resolve("upper"));
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Files.createDirectories(context.resolve("dir1"));
    Files.createDirectories(context.resolve("dir3"));
    Files.writeString(context.resolve("dir1/a.png"), "2");
    Files.writeString(context.resolve("dir1/b.txt"), "3");
    Files.writeString(context.resolve("dir3/c.mp3"), "9");
    Files.writeString(context.resolve("dir3/d.mpeg"), "10");
    writer = new UpperDirWriter(upper, new LayeredRootfs(List.of(lower), p -> false));
  }

  private TreeCopier copier(String... patterns) {
    return new TreeCopier(DirectorySource.context(context, DockerIgnore.empty()),
        ChecksumCache.inMemory()).excluding(DockerIgnore.of(List.of(patterns)));
  }

  private List<String> files(String dir) throws IOException {
    try (Stream<Path> walk = Files.walk(upper.resolve(dir))) {
      return walk.filter(Files::isRegularFile).map(p -> upper.resolve(dir).relativize(p)
          .toString()).sorted().toList();
    }
  }

  @Test
  void patternsAreRelativeToTheNamedSource() throws IOException {
    // ADD --exclude=*.mp3 dir3/ /3/: "*.mp3" matches dir3's own children.
    copier("*.mp3").copy(List.of("dir3/"), "/3/", writer, null, null);
    assertEquals(List.of("d.mpeg"), files("3"));
  }

  @Test
  void patternsAreRelativeToEachWildcardMatch() throws IOException {
    copier("*.png", "*.mp3").copy(List.of("dir*"), "/4/", writer, null, null);
    assertEquals(List.of("b.txt", "d.mpeg"), files("4"));
  }

  @Test
  void fromTheContextRoot_aDeeperPatternIsNeeded() throws IOException {
    copier("*/*.png").copy(List.of("."), "/1", writer, null, null);
    assertEquals(List.of("dir1/b.txt", "dir3/c.mp3", "dir3/d.mpeg"), files("1"));
  }

  @Test
  void excludingEverything_stillCreatesTheDestination() throws IOException {
    // ADD --exclude=* dir* /6: the named directories are not excluded, all they hold is.
    copier("*").copy(List.of("dir*"), "/6", writer, null, null);
    assertTrue(Files.isDirectory(upper.resolve("6")));
    assertEquals(List.of(), files("6"));
  }

  @Test
  void anExcludedFileDoesNotChangeTheChecksum_anIncludedOneDoes() throws IOException {
    String before = copier("*.mp3").checksum(List.of("dir3"));
    Files.writeString(context.resolve("dir3/c.mp3"), "changed");
    assertEquals(before, copier("*.mp3").checksum(List.of("dir3")));
    Files.writeString(context.resolve("dir3/d.mpeg"), "changed");
    assertNotEquals(before, copier("*.mp3").checksum(List.of("dir3")));
    assertFalse(Files.exists(upper.resolve("3")));
  }
}
