package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.parser.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for the COPY checksum walk ({@link TreeCopier#checksum}, {@link ChecksumCache},
 * {@link DirectorySource#children}): a cached build of a large context must cost stat calls
 * only, and the walk that does so must give the same keys as the plain definition (keys are
 * shared through remote caches, so their text may never drift).
 */
class ChecksumWalkTest {
  @TempDir Path tmp;
  Path context;

  @BeforeEach
  void setUp() throws IOException {
    context = Files.createDirectories(tmp.resolve("ctx"));
    for (int d = 0; d < 5; d++) {
      Path dir = Files.createDirectories(context.resolve("files/d" + d));
      for (int f = 0; f < 20; f++) {
        Files.writeString(dir.resolve("f" + f), d + " " + f + "\n");
      }
    }
    Files.setAttribute(context.resolve("files/d1/f3"), "unix:mode", 0750);
    Files.createSymbolicLink(context.resolve("files/link"), Path.of("d0/f0"));
    Files.createDirectories(context.resolve("files/logs/keep"));
    Files.writeString(context.resolve("files/logs/a.log"), "x");
    Files.writeString(context.resolve("files/logs/keep/b.log"), "y");
    Files.writeString(context.resolve("files/d2/skip.tmp"), "z");
  }

  /** The definition: "source NAME", then per entry in sorted depth-first order its line. */
  private static String expected(Path root, String name, DockerIgnore ignore) throws IOException {
    MessageDigest md = CopyChecksum.sha256();
    md.update(("source " + name + "\n").getBytes(StandardCharsets.UTF_8));
    walk(md, root, "files", root.resolve("files"), ignore);
    return HexFormat.of().formatHex(md.digest());
  }

  private static void walk(MessageDigest md, Path root, String rel, Path p, DockerIgnore ignore)
      throws IOException {
    int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    StringBuilder line = new StringBuilder(rel).append(' ').append(Integer.toOctalString(mode));
    if (Files.isSymbolicLink(p)) {
      line.append(" -> ").append(Files.readSymbolicLink(p));
    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      line.append(' ').append(CopyChecksum.hashFile(p));
    }
    md.update(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      List<String> names = new ArrayList<>();
      try (Stream<Path> s = Files.list(p)) {
        s.forEach(c -> names.add(c.getFileName().toString()));
      }
      names.sort(null);
      for (String n : names) {
        String childRel = rel + "/" + n;
        Path c = p.resolve(n);
        boolean dir = Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS);
        if (dir ? ignore.canSkipDirectory(childRel) : ignore.matches(childRel)) {
          continue;
        }
        walk(md, root, childRel, c, ignore);
      }
    }
  }

  @Test
  void checksum_isTheDefinition_withAndWithoutDockerignore() throws Exception {
    for (String text : new String[] {"", "**/*.tmp\nfiles/logs\n!files/logs/keep\n"}) {
      DockerIgnore ignore = DockerIgnore.parse(text);
      TreeCopier copier = new TreeCopier(DirectorySource.context(context, ignore),
          ChecksumCache.inMemory());
      assertEquals(expected(context, "files", ignore), copier.checksum(List.of("files")), text);
    }
  }

  @Test
  void children_areListThenLocate_forEverySource() throws IOException {
    DockerIgnore ignore = DockerIgnore.parse("**/*.tmp\nfiles/logs\n!files/logs/keep\n");
    DirectorySource source = DirectorySource.context(context, ignore);
    FileSource plain = new FileSource() { // the interface's default: list, then locate each
      public java.util.Optional<Path> locate(String rel) {
        return source.locate(rel);
      }

      public List<String> list(String rel) throws IOException {
        return source.list(rel);
      }

      public String resolve(String rel) throws IOException {
        return source.resolve(rel);
      }

      public boolean keepsOwnership() {
        return false;
      }

      public String describe() {
        return "plain";
      }
    };
    for (String rel : new String[] {"", "files", "files/d2", "files/logs", "files/logs/keep"}) {
      Map<String, Path> fast = source.children(rel);
      assertEquals(plain.children(rel), fast, rel);
      assertEquals(new ArrayList<>(plain.children(rel).keySet()),
          new ArrayList<>(fast.keySet()), "sorted like list(): " + rel);
    }
    assertEquals(List.of("keep"), List.copyOf(source.children("files/logs").keySet()));
  }

  @Test
  void cachedChecksum_hashesNothing_untilAFileChanges_evenBehindARestoredMtime()
      throws Exception {
    Path sums = tmp.resolve("sums");
    ChecksumCache first = ChecksumCache.load(sums);
    DirectorySource source = DirectorySource.context(context, DockerIgnore.empty());
    String before = new TreeCopier(source, first).checksum(List.of("files"));
    assertEquals(103, first.misses(), "every regular file hashed once");
    first.save();

    ChecksumCache again = ChecksumCache.load(sums);
    assertEquals(before, new TreeCopier(source, again).checksum(List.of("files")));
    assertEquals(0, again.misses(), "a cached walk reads no file");

    // Same size, mtime put back: only ctime (which no process can set) tells.
    Path f = context.resolve("files/d3/f7");
    FileTime mtime = Files.getLastModifiedTime(f);
    Thread.sleep(20); // past the kernel's coarse ctime clock tick
    Files.writeString(f, "3 X\n");
    Files.setLastModifiedTime(f, mtime);
    ChecksumCache third = ChecksumCache.load(sums);
    assertNotEquals(before, new TreeCopier(source, third).checksum(List.of("files")));
    assertEquals(1, third.misses(), "only the changed file is read");
  }

  @Test
  void damagedCacheFile_isOnlySlower() throws Exception {
    Path sums = tmp.resolve("sums");
    // The old JSON format, a sum that is not hex, a line cut short: all ignored.
    Files.writeString(sums, "{\"" + context.resolve("files/d0/f0") + "|3|0|0|0\": 42, [\n"
        + "Z".repeat(64) + " " + context.resolve("files/d0/f1") + "|4|0|0|0\n"
        + "0".repeat(64) + " " + context.resolve("files/d0/f2"));
    ChecksumCache cache = ChecksumCache.load(sums);
    DirectorySource source = DirectorySource.context(context, DockerIgnore.empty());
    assertEquals(expected(context, "files", DockerIgnore.empty()),
        new TreeCopier(source, cache).checksum(List.of("files")));
    assertEquals(103, cache.misses());
  }

  @Test
  void savedFile_isOneLinePerFile_andANewlineInANameIsOnlyHashedAgain() throws Exception {
    Files.writeString(context.resolve("files/d0/odd\nname"), "n");
    Path sums = tmp.resolve("sums");
    ChecksumCache cache = ChecksumCache.load(sums);
    DirectorySource source = DirectorySource.context(context, DockerIgnore.empty());
    String sum = new TreeCopier(source, cache).checksum(List.of("files"));
    cache.save();
    List<String> lines = Files.readAllLines(sums);
    assertEquals(103, lines.size());
    assertTrue(lines.stream().allMatch(l -> l.matches("[0-9a-f]{64} /.*\\|\\d+\\|\\d+\\|\\d+\\|\\d+")),
        lines.get(0));
    ChecksumCache again = ChecksumCache.load(sums);
    assertEquals(sum, new TreeCopier(source, again).checksum(List.of("files")));
    assertEquals(1, again.misses(), "only the file whose name holds a newline");
  }
}
