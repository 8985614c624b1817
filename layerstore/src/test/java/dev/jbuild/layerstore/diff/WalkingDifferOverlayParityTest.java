package dev.jbuild.layerstore.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same scripted changes, made (a) in a plain copy of a tree and diffed by {@link
 * WalkingDiffer} and (b) through a real overlayfs mount over that tree and diffed from the
 * upperdir by {@link LayerDiffer}, must give the same layer: same entries in the same order
 * (names, types, modes, owners, mtimes under a {@code SOURCE_DATE_EPOCH}, link targets, device
 * numbers, xattrs, contents), hence the same DiffID.
 */
@Tag("root")
class WalkingDifferOverlayParityTest {
  static final FileTime OLD = FileTime.fromMillis(1_600_000_000_000L);
  static final LayerOptions OPTIONS = LayerOptions.defaults().withSourceDateEpoch(1_700_000_000L);

  @TempDir Path tmp;

  static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }

  /** The tree both sides start from; every mtime is {@link #OLD}. */
  static void base(Path root) throws IOException {
    write(root, "bin/tool", "tool");
    Posix.chmod(root.resolve("bin/tool"), 0755);
    write(root, "etc/a.txt", "a");
    write(root, "etc/b.txt", "b");
    write(root, "etc/keep", "keep");
    write(root, "opt/x", "x");
    write(root, "opt/sub/y", "y");
    write(root, "opt/sub/deeper/w", "w");
    write(root, "data/tree/deep/z", "z");
    write(root, "data/stays", "s");
    write(root, "rep/dir-to-file/inner", "i");
    write(root, "rep/file-to-dir", "f");
    write(root, "links/target1", "t1");
    write(root, "links/target2", "t2");
    Files.createSymbolicLink(root.resolve("links/sym"), Path.of("target1"));
    write(root, "hl/one", "one");
    write(root, "hl/pair1", "pair");
    Files.createLink(root.resolve("hl/pair2"), root.resolve("hl/pair1"));
    write(root, "own/file", "owned");
    write(root, "mode/file", "mode");
    write(root, "same/size", "1234");
    write(root, "x/attr", "attr");
    write(root, "x/cap", "cap");
    write(root, "deep/a/b/c/file", "deep");
    Files.createDirectories(root.resolve("devs"));
    Posix.mknod(root.resolve("devs/null"), Posix.S_IFCHR | 0666, 1, 3);
    try (var walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (!Files.isSymbolicLink(p)) {
          Files.setLastModifiedTime(p, OLD);
        }
      }
    }
  }

  /** The step: every kind of change a RUN can make. */
  static void change(Path root) throws IOException {
    write(root, "new.txt", "hello");
    write(root, "newdir/f", "f");
    Files.writeString(root.resolve("same/size"), "4321");
    Files.setLastModifiedTime(root.resolve("same/size"), OLD);
    Posix.chmod(root.resolve("mode/file"), 0700);
    Posix.chmod(root.resolve("etc"), 0750);
    Posix.lchown(root.resolve("own/file"), 1000, 1001);
    Files.delete(root.resolve("etc/b.txt"));
    Trees.deleteRecursively(root.resolve("data/tree"));
    Trees.deleteRecursively(root.resolve("rep/dir-to-file"));
    write(root, "rep/dir-to-file", "now a file");
    Files.delete(root.resolve("rep/file-to-dir"));
    write(root, "rep/file-to-dir/inner", "now a dir");
    Files.delete(root.resolve("links/sym"));
    Files.createSymbolicLink(root.resolve("links/sym"), Path.of("target2"));
    Files.createSymbolicLink(root.resolve("links/newsym"), Path.of("../new.txt"));
    Files.createLink(root.resolve("hl/one2"), root.resolve("hl/one"));
    Posix.lsetxattr(root.resolve("x/attr"), "user.note", "hi".getBytes(StandardCharsets.UTF_8));
    // setcap cap_net_raw,cap_setuid+ep, with a byte >= 0x80.
    Posix.lsetxattr(root.resolve("x/cap"), "security.capability", OverlayRoundTripTest.CAP);
    Posix.mknod(root.resolve("pipe"), Posix.S_IFIFO | 0644, 0, 0);
    Posix.mknod(root.resolve("devs/full"), Posix.S_IFCHR | 0666, 1, 7);
    write(root, "bin/su", "su");
    Posix.chmod(root.resolve("bin/su"), 04755);
    Files.writeString(root.resolve("deep/a/b/c/file"), "deeper");
    // rm -rf opt/sub && mkdir opt/sub; the open handle keeps the old inode number from being
    // reused for the new directory in the plain tree (see WalkingDiffer).
    Path sub = root.resolve("opt/sub");
    try (DirectoryStream<Path> old = Files.newDirectoryStream(sub)) {
      Trees.deleteRecursively(sub);
      write(root, "opt/sub/new", "new");
    }
  }

  static void write(Path root, String rel, String content) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  @Test
  void sameChanges_giveTheSameLayerWithAndWithoutOverlayfs() throws Exception {
    assumeTrue(Posix.isRoot(), "overlayfs mounts, chown and security.capability need root");
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Path lower = Files.createDirectory(tmp.resolve("lower"));
    Path plain = Files.createDirectory(tmp.resolve("plain"));
    base(lower);
    base(plain);

    TreeSnapshot before = TreeSnapshot.take(plain, List.of());
    change(plain);
    Layer walked = WalkingDiffer.diff(before, store.content(), OPTIONS).orElseThrow();

    Path upper = Files.createDirectory(tmp.resolve("upper"));
    Path work = Files.createDirectory(tmp.resolve("work"));
    Path merged = Files.createDirectory(tmp.resolve("merged"));
    run("/bin/mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir=" + upper
        + ",workdir=" + work + ",index=off,redirect_dir=off,metacopy=off", merged.toString());
    try {
      change(merged);
    } finally {
      run("/bin/umount", merged.toString());
    }
    Layer overlaid = LayerDiffer.diff(upper, List.of(lower), store.content(), OPTIONS)
        .orElseThrow();

    List<String> expected = LayerEntries.of(overlaid, store.content());
    List<String> actual = LayerEntries.of(walked, store.content());
    assertEquals(String.join("\n", expected), String.join("\n", actual));
    assertEquals(overlaid.diffId(), walked.diffId());
    // The script really exercised the interesting cases.
    String all = String.join("\n", actual);
    for (String needle : List.of("etc/.wh.b.txt FILE", "data/.wh.tree FILE",
        "opt/sub/.wh..wh..opq", "rep/file-to-dir/.wh..wh..opq", "rep/dir-to-file FILE",
        "hl/one2 HARDLINK", "security.capability=", "user.note=", "pipe FIFO",
        "devs/full CHAR_DEVICE 644 0:0 1700000000  1,7", "own/file FILE 644 1000:1001",
        "bin/su FILE 4755", "links/sym SYMLINK 777 0:0 1700000000 target2",
        "deep/a/b/c/ DIRECTORY 755 0:0 1600000000", "same/size FILE 644 0:0 1600000000")) {
      assertTrue(all.contains(needle), needle + " missing from\n" + all);
    }
    for (String absent : List.of("hl/pair", "data/tree/", "opt/sub/.wh.y", "devs/null",
        "etc/keep")) {
      assertTrue(!all.contains(absent), absent + " should not be in\n" + all);
    }
  }

  /**
   * Mode C runs a step in its container's own root, which is itself an overlay mount: walking the
   * merged view must give what the upperdir gives.
   */
  @Test
  void walkingAnOverlayRootItself_givesTheLayerOfItsUpperdir() throws Exception {
    walkMergedView(false);
  }

  /**
   * Lower on another file system with xino=off: st_dev differs between directories (overlayfs's
   * own) and lower files (tmpfs's), and inode numbers come from two file systems.
   */
  @Test
  void walkingAnOverlayRootWithLowerOnTmpfs_givesTheLayerOfItsUpperdir() throws Exception {
    walkMergedView(true);
  }

  /**
   * Mode C's run-opaque case on an overlay root such as Docker's: a directory that is upper only
   * (materialized before the step), removed and made again with the same inode number, must be
   * written opaque as overlayfs marks it in mode A; its birth time goes through overlayfs.
   */
  @Test
  void recreatedUpperDirectoryOnAnOverlayRoot_isOpaqueEvenWithItsOldInodeNumber()
      throws Exception {
    assumeTrue(Posix.isRoot(), "overlayfs mounts need root");
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Path lower = Files.createDirectories(tmp.resolve("lower/base"));
    Files.writeString(lower.resolve("f"), "lower");
    Path upper = Files.createDirectory(tmp.resolve("upper"));
    Path work = Files.createDirectory(tmp.resolve("work"));
    Path merged = Files.createDirectory(tmp.resolve("merged"));
    run("/bin/mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + tmp.resolve("lower")
        + ",upperdir=" + upper + ",workdir=" + work + ",index=off,redirect_dir=off,metacopy=off",
        merged.toString());
    try {
      Path d = Files.createDirectories(merged.resolve("d"));
      Files.writeString(d.resolve("old"), "old");
      assertTrue(Posix.birthTimeNanos(d) != Posix.NO_BIRTH_TIME, "overlayfs passes stx_btime");
      TreeSnapshot before = TreeSnapshot.take(merged, List.of());
      long inode = (Long) Files.getAttribute(d, "unix:ino");
      long born = Posix.birthTimeNanos(d);
      Trees.deleteRecursively(d);
      Files.createDirectory(d);
      Files.writeString(d.resolve("new"), "new");
      Files.writeString(merged.resolve("base/f"), "copied up");
      assertTrue(born != Posix.birthTimeNanos(d), "a remade directory has a new birth time");
      Layer layer = WalkingDiffer.diff(before, store.content(), OPTIONS).orElseThrow();
      // base/ is copied up (merged, link count 1): changed in place, never opaque.
      assertEquals(List.of("base/", "base/f", "d/", "d/.wh..wh..opq", "d/new"),
          LayerEntries.names(layer, store.content()),
          "inode number reused: " + (inode == (Long) Files.getAttribute(d, "unix:ino")));
    } finally {
      run("/bin/umount", merged.toString());
    }
  }

  private void walkMergedView(boolean lowerOnTmpfs) throws Exception {
    assumeTrue(Posix.isRoot(), "overlayfs and tmpfs mounts need root");
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Path lowerFs = Files.createDirectory(tmp.resolve("lowerfs"));
    if (lowerOnTmpfs) {
      run("/bin/mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", lowerFs.toString());
    }
    try {
      Path lower = Files.createDirectory(lowerFs.resolve("lower"));
      base(lower);
      Path upper = Files.createDirectory(tmp.resolve("upper"));
      Path work = Files.createDirectory(tmp.resolve("work"));
      Path merged = Files.createDirectory(tmp.resolve("merged"));
      run("/bin/mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir="
          + upper + ",workdir=" + work + ",index=off,redirect_dir=off,metacopy=off"
          + (lowerOnTmpfs ? ",xino=off" : ""), merged.toString());
      Layer walked;
      try {
        TreeSnapshot before = TreeSnapshot.take(merged, List.of());
        change(merged);
        walked = WalkingDiffer.diff(before, store.content(), OPTIONS).orElseThrow();
      } finally {
        run("/bin/umount", merged.toString());
      }
      Layer overlaid = LayerDiffer.diff(upper, List.of(lower), store.content(), OPTIONS)
          .orElseThrow();
      assertEquals(String.join("\n", LayerEntries.of(overlaid, store.content())),
          String.join("\n", LayerEntries.of(walked, store.content())));
      assertEquals(overlaid.diffId(), walked.diffId());
    } finally {
      if (lowerOnTmpfs) {
        run("/bin/umount", lowerFs.toString());
      }
    }
  }
}
