package dev.jbuild.layerstore.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link WalkingDiffer} and {@link TreeSnapshot} that need no root. */
class WalkingDifferTest {
  static final FileTime OLD = FileTime.fromMillis(1_600_000_000_000L);

  @TempDir Path tmp;
  LayerStore store;
  Path root;

  @BeforeEach
  void setUp() throws IOException {
    store = LayerStore.open(tmp.resolve("store"));
    root = Files.createDirectory(tmp.resolve("root"));
    write("etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    write("etc/hosts", "127.0.0.1 localhost\n");
    write("usr/bin/tool", "tool");
    write("usr/lib/one", "one");
    write("usr/lib/two", "two");
    write("var/data/a", "a");
    write("var/data/sub/b", "b");
    Files.createSymbolicLink(root.resolve("usr/lib/link"), Path.of("one"));
    Files.createDirectories(root.resolve("proc"));
    Files.createDirectories(root.resolve(".jbuild"));
    write(".jbuild/state", "s");
    ageTree();
  }

  private void write(String rel, String content) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  /** Gives every path an old mtime, so parents written only as parents are recognizable. */
  private void ageTree() throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (!Files.isSymbolicLink(p)) {
          Files.setLastModifiedTime(p, OLD);
        }
      }
    }
  }

  private TreeSnapshot snapshot(String... excluded) throws IOException {
    return TreeSnapshot.take(root, List.of(excluded));
  }

  private List<String> diff(TreeSnapshot before) throws IOException {
    Layer layer = WalkingDiffer.diff(before, store.content()).orElseThrow();
    return LayerEntries.of(layer, store.content());
  }

  private List<String> names(TreeSnapshot before) throws IOException {
    Layer layer = WalkingDiffer.diff(before, store.content()).orElseThrow();
    return LayerEntries.names(layer, store.content());
  }

  @Test
  void noChange_givesNoLayerAndLeavesNoIngest() throws IOException {
    TreeSnapshot before = snapshot();
    assertEquals(Optional.empty(), WalkingDiffer.diff(before, store.content()));
    try (Stream<Path> s = Files.list(tmp.resolve("store/ingest"))) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void snapshot_recordsEveryPathButExcludedOnes() throws IOException {
    assertEquals(18, snapshot().size());
    // proc, .jbuild and .jbuild/state, etc/hosts are not recorded.
    assertEquals(14, snapshot("/proc", ".jbuild/", "etc/hosts").size());
  }

  @Test
  void addedFile_writesItWithItsChangedParentAndUnchangedGrandparent() throws IOException {
    TreeSnapshot before = snapshot();
    write("var/data/sub/new", "new");
    assertEquals(List.of("var/", "var/data/", "var/data/sub/", "var/data/sub/new"),
        names(before));
  }

  @Test
  void contentChangeWithSameSizeAndRestoredMtime_isFoundThroughCtime() throws IOException {
    // Repeated, because a change in the same clock tick as the snapshot is the case to catch.
    for (int round = 0; round < 20; round++) {
      Path file = root.resolve("usr/lib/one");
      Files.writeString(file, "on" + (char) ('a' + round));
      Files.setLastModifiedTime(file, OLD);
      TreeSnapshot before = snapshot();
      Files.writeString(file, "ON" + (char) ('a' + round));
      Files.setLastModifiedTime(file, OLD);
      assertEquals(3, Files.size(file));
      List<String> entries = diff(before);
      assertEquals(3, entries.size(), entries.toString());
      assertTrue(entries.get(2).startsWith("usr/lib/one FILE 644 "), entries.get(2));
      assertTrue(entries.get(2).endsWith(" ON" + (char) ('a' + round)), entries.get(2));
    }
  }

  @Test
  void take_returnsOnlyOnceTheClockIsPastEveryRecordedCtime() throws IOException {
    // The guarantee behind the ctime comparison: a change made after take() returns cannot
    // get the ctime a file had when it was recorded, even on a coarse kernel clock.
    Path file = root.resolve("usr/lib/one");
    Files.writeString(file, "now");
    TreeSnapshot before = snapshot();
    Instant returned = Instant.now();
    Instant ctime = ((FileTime) Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS))
        .toInstant();
    assertTrue(returned.isAfter(ctime.plusMillis(20)), returned + " vs ctime " + ctime);
    assertEquals(18, before.size());
  }

  @Test
  void chmod_writesTheNewMode() throws IOException {
    TreeSnapshot before = snapshot();
    Posix.chmod(root.resolve("usr/bin/tool"), 04755);
    List<String> entries = diff(before);
    assertEquals(List.of("usr/", "usr/bin/", "usr/bin/tool"),
        entries.stream().map(e -> e.substring(0, e.indexOf(' '))).toList());
    assertTrue(entries.get(2).contains(" FILE 4755 "), entries.get(2));
    // The unchanged parents keep their recorded mtime.
    assertTrue(entries.get(0).contains(" 1600000000 "), entries.get(0));
  }

  @Test
  void deletedFileAndDirectoryTree_areOneWhiteoutEach() throws IOException {
    TreeSnapshot before = snapshot();
    Files.delete(root.resolve("usr/lib/two"));
    Trees.deleteRecursively(root.resolve("var/data"));
    List<String> entries = diff(before);
    assertEquals(List.of("usr/", "usr/lib/", "usr/lib/.wh.two", "var/", "var/.wh.data"),
        entries.stream().map(e -> e.substring(0, e.indexOf(' '))).toList());
    assertTrue(entries.get(2).endsWith(" FILE 600 0:0 0  0,0 [] "), entries.get(2));
  }

  @Test
  void directoryReplacedByFile_isJustTheFile() throws IOException {
    TreeSnapshot before = snapshot();
    Trees.deleteRecursively(root.resolve("var/data"));
    write("var/data", "now a file");
    assertEquals(List.of("var/", "var/data"), names(before));
  }

  @Test
  void fileReplacedByDirectory_isAnOpaqueDirectory() throws IOException {
    TreeSnapshot before = snapshot();
    Files.delete(root.resolve("usr/bin/tool"));
    write("usr/bin/tool/inside", "x");
    assertEquals(List.of("usr/", "usr/bin/", "usr/bin/tool/", "usr/bin/tool/.wh..wh..opq",
        "usr/bin/tool/inside"), names(before));
  }

  @Test
  void directoryRemovedAndRecreated_isOpaqueWithNoPerChildWhiteouts() throws IOException {
    TreeSnapshot before = snapshot();
    Path data = root.resolve("var/data");
    // Holding the old directory open keeps its inode number from being reused at once.
    try (DirectoryStream<Path> old = Files.newDirectoryStream(data)) {
      Trees.deleteRecursively(data);
      Files.createDirectory(data);
      write("var/data/a", "a");
    }
    assertEquals(List.of("var/", "var/data/", "var/data/.wh..wh..opq", "var/data/a"),
        names(before));
  }

  @Test
  void directoryRemovedAndRecreated_withItsOldInodeNumber_isOpaqueThroughItsBirthTime()
      throws IOException {
    TreeSnapshot before = snapshot();
    Path data = root.resolve("var/data");
    long oldInode = (Long) Files.getAttribute(data, "unix:ino");
    // Nothing holds the old directory: ext4 hands the new one the same inode number at once.
    Trees.deleteRecursively(data);
    Files.createDirectory(data);
    write("var/data/a", "a");
    boolean reused = oldInode == (Long) Files.getAttribute(data, "unix:ino");
    assertEquals(List.of("var/", "var/data/", "var/data/.wh..wh..opq", "var/data/a"),
        names(before), "inode number reused: " + reused);
  }

  /** Birth times from a map, as a test double for statx; UNKNOWN for paths not in it. */
  private static BirthTimes births(java.util.Map<Path, Long> births) {
    return path -> births.getOrDefault(path, BirthTimes.UNKNOWN);
  }

  @Test
  void sameInodeButAnotherBirthTime_isARecreatedDirectory_writtenWholeAndOpaque()
      throws IOException {
    java.util.Map<Path, Long> birth = new java.util.HashMap<>();
    Path data = root.resolve("var/data");
    birth.put(data, 1_000L);
    birth.put(root.resolve("var"), 7L);
    TreeSnapshot before = TreeSnapshot.take(root, List.of(), births(birth));
    birth.put(data, 2_000L);
    write("var/data/c", "c");
    assertEquals(List.of("var/", "var/data/", "var/data/.wh..wh..opq", "var/data/a",
        "var/data/c", "var/data/sub/", "var/data/sub/b"), names(before));
  }

  @Test
  void birthTimeUnknownBeforeOrAfter_fallsBackToTheInodeNumber() throws IOException {
    java.util.Map<Path, Long> birth = new java.util.HashMap<>();
    Path data = root.resolve("var/data");
    TreeSnapshot unknownBefore = TreeSnapshot.take(root, List.of(), births(birth));
    birth.put(data, 2_000L);
    TreeSnapshot unknownAfter = TreeSnapshot.take(root, List.of(), path -> path.equals(data)
        ? (birth.containsKey(data) && birth.get(data) == 2_000L ? 2_000L : BirthTimes.UNKNOWN)
        : BirthTimes.UNKNOWN);
    birth.remove(data);
    write("var/data/c", "c");
    assertEquals(List.of("var/", "var/data/", "var/data/c"), names(unknownBefore));
    assertEquals(List.of("var/", "var/data/", "var/data/c"), names(unknownAfter));
    TreeSnapshot none = TreeSnapshot.take(root, List.of(), BirthTimes.NONE);
    write("var/data/d", "d");
    assertEquals(List.of("var/", "var/data/", "var/data/d"), names(none));
  }

  @Test
  void sameBirthTime_isTheSameDirectoryChangedInPlace() throws IOException {
    TreeSnapshot before = TreeSnapshot.take(root, List.of(), path -> 42L);
    write("var/data/c", "c");
    assertEquals(List.of("var/", "var/data/", "var/data/c"), names(before));
  }

  @Test
  void directoryChangedInPlace_keepsItsOtherChildren() throws IOException {
    TreeSnapshot before = snapshot();
    write("var/data/c", "c");
    assertEquals(List.of("var/", "var/data/", "var/data/c"), names(before));
  }

  @Test
  void symlinkRetargeted_isTheNewLink() throws IOException {
    TreeSnapshot before = snapshot();
    Files.delete(root.resolve("usr/lib/link"));
    Files.createSymbolicLink(root.resolve("usr/lib/link"), Path.of("two"));
    List<String> entries = diff(before);
    assertTrue(entries.get(2).startsWith("usr/lib/link SYMLINK 777 "), entries.get(2));
    assertTrue(entries.get(2).contains(" two "), entries.get(2));
  }

  @Test
  void hardlinkAdded_isWrittenAsLinkToTheFirstPath() throws IOException {
    TreeSnapshot before = snapshot();
    Files.createLink(root.resolve("usr/lib/zz"), root.resolve("usr/lib/one"));
    List<String> entries = diff(before);
    assertEquals(List.of("usr/", "usr/lib/", "usr/lib/one", "usr/lib/zz"),
        entries.stream().map(e -> e.substring(0, e.indexOf(' '))).toList());
    assertTrue(entries.get(3).contains(" HARDLINK ") && entries.get(3).contains(" usr/lib/one "),
        entries.get(3));
  }

  @Test
  void hardlinkGroupWrittenThroughOnePath_writesEveryPathOfTheGroup() throws IOException {
    Files.createLink(root.resolve("var/data/sub/b2"), root.resolve("var/data/a"));
    TreeSnapshot before = snapshot();
    Files.writeString(root.resolve("var/data/sub/b2"), "A");
    List<String> entries = diff(before);
    assertEquals(List.of("var/", "var/data/", "var/data/a", "var/data/sub/", "var/data/sub/b2"),
        entries.stream().map(e -> e.substring(0, e.indexOf(' '))).toList());
    assertTrue(entries.get(2).endsWith(" A"), entries.get(2));
    assertTrue(entries.get(4).contains(" HARDLINK ") && entries.get(4).contains(" var/data/a "),
        entries.get(4));
  }

  @Test
  void xattrSet_isWrittenAsPaxXattr() throws IOException {
    TreeSnapshot before = snapshot();
    Posix.lsetxattr(root.resolve("usr/bin/tool"), "user.note",
        "hi".getBytes(StandardCharsets.UTF_8));
    List<String> entries = diff(before);
    assertTrue(entries.get(2).contains("[user.note=6869,]"), entries.get(2));
  }

  @Test
  void fifo_isWritten() throws IOException {
    TreeSnapshot before = snapshot();
    Posix.mknod(root.resolve("var/pipe"), Posix.S_IFIFO | 0640, 0, 0);
    List<String> entries = diff(before);
    assertTrue(entries.get(1).startsWith("var/pipe FIFO 640 "), entries.toString());
  }

  @Test
  void excludedSubtrees_neverAppearWhateverHappensInThem() throws IOException {
    TreeSnapshot before = snapshot("/proc", ".jbuild", "etc/hosts");
    write("proc/1/status", "x");
    Files.delete(root.resolve(".jbuild/state"));
    write(".jbuild/other", "y");
    Files.delete(root.resolve("etc/hosts"));
    write("etc/hosts", "10.0.0.1 other\n");
    write("etc/new", "n");
    List<String> names = names(before);
    assertEquals(List.of("etc/", "etc/new"), names);
    // Deleting an excluded path whole gives no whiteout either.
    TreeSnapshot again = snapshot("proc", ".jbuild", "etc/hosts");
    Trees.deleteRecursively(root.resolve(".jbuild"));
    Files.delete(root.resolve("etc/hosts"));
    Files.setLastModifiedTime(root.resolve("etc"), OLD);
    assertEquals(List.of("etc/"), names(again), "etc's ctime moved, nothing else");
  }

  @Test
  void badExclusions_areRefused() {
    for (String bad : List.of("", "/", "a/../b", "a//b", ".", "./a", "a/..")) {
      assertThrows(IllegalArgumentException.class, () -> snapshot(bad), bad);
    }
  }

  @Test
  void rootThatIsNotADirectory_isAWordedError() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    IOException e = assertThrows(IOException.class, () -> TreeSnapshot.take(file, List.of()));
    assertEquals("Tried to snapshot the tree at " + file + " but failed because: it is not a"
        + " directory", e.getMessage());
    IOException missing = assertThrows(IOException.class,
        () -> TreeSnapshot.take(tmp.resolve("missing"), List.of()));
    assertEquals("Tried to snapshot the tree at " + tmp.resolve("missing") + " but failed"
        + " because: " + tmp.resolve("missing") + ": no such file or directory",
        missing.getMessage());
  }

  @Test
  void treeRemovedBeforeTheDiff_isAWordedError() throws IOException {
    TreeSnapshot before = snapshot();
    Trees.deleteRecursively(root);
    IOException e = assertThrows(IOException.class,
        () -> WalkingDiffer.diff(before, store.content()));
    assertEquals("Tried to diff the tree at " + root + " against its snapshot but failed"
        + " because: " + root + ": no such file or directory", e.getMessage());
  }

  @Test
  void nameThatIsNotValidUtf8_isDiffedWithItsBytes() throws Exception {
    // Before FileNames this was refused with "the name 'bad\uFFFD' is not valid UTF-8": Java
    // could not name the byte 0xff again. Docker and BuildKit diff such a name byte for byte.
    TreeSnapshot before = snapshot();
    Process p = new ProcessBuilder("/bin/sh", "-c", "echo hi > \"$(printf 'bad\\377')\"")
        .directory(root.resolve("var").toFile()).inheritIO().start();
    assertEquals(0, p.waitFor());
    assertTrue(names(before).contains("var/bad\uDCFF"), names(before).toString());
    TreeSnapshot after = snapshot();
    assertEquals(Optional.empty(), WalkingDiffer.diff(after, store.content()),
        "the snapshot finds the name again: nothing changed");
  }

  @Test
  void nameReservedForWhiteouts_isRefusedWithAWordedError() throws IOException {
    TreeSnapshot before = snapshot();
    write("usr/.wh.tool", "");
    IOException e = assertThrows(IOException.class,
        () -> WalkingDiffer.diff(before, store.content()));
    assertTrue(e.getMessage().startsWith("Tried to store /usr/.wh.tool in a layer but failed"
        + " because: names starting with .wh. are reserved for whiteouts"), e.getMessage());
    try (Stream<Path> s = Files.list(tmp.resolve("store/ingest"))) {
      assertEquals(0, s.count(), "the partial blob is removed");
    }
  }

  @Test
  void symlinksAreNeverFollowed_evenWhenTheyReplaceADirectory() throws IOException {
    TreeSnapshot before = snapshot();
    Trees.deleteRecursively(root.resolve("var/data"));
    Files.createSymbolicLink(root.resolve("var/data"), tmp.resolve("store"));
    Files.createSymbolicLink(root.resolve("up"), Path.of("../../.."));
    List<String> names = names(before);
    assertEquals(List.of("up", "var/", "var/data"), names);
  }

  @Test
  void sourceDateEpoch_clampsNewEntriesButNotOlderOnes() throws IOException {
    TreeSnapshot before = snapshot();
    write("var/data/new", "n");
    Layer layer = WalkingDiffer.diff(before, store.content(),
        LayerOptions.defaults().withSourceDateEpoch(1_700_000_000L)).orElseThrow();
    List<String> entries = LayerEntries.of(layer, store.content());
    assertTrue(entries.get(0).contains(" 1600000000 "), entries.get(0));
    assertTrue(entries.get(1).contains(" 1700000000 "), entries.get(1));
    assertTrue(entries.get(2).contains(" 1700000000 "), entries.get(2));
  }

  @Test
  void oddNames_roundTrip() throws IOException {
    TreeSnapshot before = snapshot();
    write("var/with space", "1");
    write("var/ünïcødé", "2");
    write("var/new\nline", "3");
    assertEquals(List.of("var/", "var/new\nline", "var/with space", "var/ünïcødé"),
        names(before));
  }

  @Test
  void snapshotOfManyFiles_staysCompact() throws IOException {
    for (int i = 0; i < 5_000; i++) {
      write("many/d" + (i / 100) + "/file-number-" + i, "");
    }
    TreeSnapshot before = snapshot();
    assertEquals(5_000 + 50 + 1 + 18, before.size());
    long perEntry = before.heapBytes() / before.size();
    assertTrue(perEntry < 120, perEntry + " bytes per entry");
    Files.delete(root.resolve("many/d7/file-number-777"));
    assertEquals(List.of("many/", "many/d7/", "many/d7/.wh.file-number-777"), names(before));
  }
}
