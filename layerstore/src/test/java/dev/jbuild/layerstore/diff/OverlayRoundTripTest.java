package dev.jbuild.layerstore.diff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.snapshot.Scratch;
import dev.jbuild.layerstore.snapshot.Snapshot;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on a real overlayfs: unpack a base layer as a snapshot, change files through an
 * overlay mount, diff the upperdir into a layer, check the exact tar, then unpack that layer on
 * top and check the merged view.
 */
@Tag("root")
class OverlayRoundTripTest {
  /** A v2 file capability (cap_setuid, cap_net_raw permitted, effective) with a byte >= 0x80. */
  static final byte[] CAP = {1, 0, 0, 2, (byte) 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0};

  @TempDir Path tmp;

  static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }

  static byte[] baseTar() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      dir(w, "bin");
      file(w, "bin/tool", "tool", 0755);
      dir(w, "data");
      file(w, "data/keep.txt", "keep", 0644);
      dir(w, "etc");
      file(w, "etc/a.txt", "a", 0644);
      file(w, "etc/b.txt", "b", 0644);
      dir(w, "opt");
      file(w, "opt/x", "x", 0644);
      dir(w, "opt/sub");
      file(w, "opt/sub/y", "y", 0644);
    }
    return out.toByteArray();
  }

  static void dir(TarWriter w, String name) throws IOException {
    w.write(TarEntry.directory(name, 0755, 0, 0, 1_600_000_000L), null);
  }

  static void file(TarWriter w, String name, String content, int mode) throws IOException {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    w.write(TarEntry.file(name, mode, 0, 0, b.length, 1_600_000_000L), new ByteArrayInputStream(b));
  }

  @Test
  void diffUpperdir_thenApplyOnTop_givesExpectedTree() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    byte[] base = baseTar();
    Layer baseLayer = LayerDiffer.fromTar(new ByteArrayInputStream(base), store.content());
    assertEquals(Digest.sha256(base), baseLayer.diffId());
    Snapshot lower = store.snapshots().prepare(List.of(baseLayer));
    assertEquals(1, lower.lowerDirsTopFirst().size());

    Path merged = Files.createDirectory(tmp.resolve("merged"));
    Layer change;
    try (Scratch scratch = store.snapshots().newScratch()) {
      String lowers = lower.absoluteLowerDirsTopFirst().stream().map(Path::toString)
          .collect(Collectors.joining(":"));
      run("/bin/mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lowers + ",upperdir="
          + scratch.upperDir() + ",workdir=" + scratch.workDir()
          + ",index=off,redirect_dir=off,metacopy=off", merged.toString());
      try {
        Files.writeString(merged.resolve("new.txt"), "hello");
        Files.writeString(merged.resolve("etc/a.txt"), "changed");
        Files.delete(merged.resolve("etc/b.txt"));
        Trees.deleteRecursively(merged.resolve("opt"));
        Files.createDirectory(merged.resolve("opt"));
        Files.writeString(merged.resolve("opt/z"), "z");
        Files.createDirectory(merged.resolve("links"));
        Files.writeString(merged.resolve("links/one"), "L");
        Files.createLink(merged.resolve("links/two"), merged.resolve("links/one"));
        Files.createSymbolicLink(merged.resolve("links/sym"), Path.of("../new.txt"));
        Posix.lsetxattr(merged.resolve("bin/tool"), "security.capability", CAP);
        Posix.mknod(merged.resolve("pipe"), Posix.S_IFIFO | 0644, 0, 0);
      } finally {
        run("/bin/umount", merged.toString());
      }
      change = LayerDiffer.diff(scratch.upperDir(), lower.absoluteLowerDirsTopFirst(),
          store.content()).orElseThrow();
      // The upperdir really carried overlay xattrs that must not leak into the layer.
      assertTrue(Posix.lgetxattr(scratch.upperDir().resolve("opt"), "trusted.overlay.opaque")
          .isPresent());
    }
    assertEquals(LayerDiffer.LAYER_MEDIA_TYPE, change.blob().mediaType());

    // The exact changeset, read back with commons-compress.
    Map<String, String> entries = new LinkedHashMap<>();
    ByteArrayOutputStream uncompressed = new ByteArrayOutputStream();
    try (InputStream blob = store.content().open(change.blob())) {
      new GZIPInputStream(blob).transferTo(uncompressed);
    }
    assertEquals(change.diffId(), Digest.sha256(uncompressed.toByteArray()));
    try (TarArchiveInputStream in = new TarArchiveInputStream(
        new ByteArrayInputStream(uncompressed.toByteArray()))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        String kind = e.isDirectory() ? "dir" : e.isSymbolicLink() ? "symlink->" + e.getLinkName()
            : e.isLink() ? "hardlink->" + e.getLinkName() : e.isFIFO() ? "fifo"
            : "file:" + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        entries.put(e.getName(), kind);
        for (String key : e.getExtraPaxHeaders().keySet()) {
          assertFalse(key.contains("overlay"), e.getName() + " carries " + key);
        }
        if (e.getName().equals("bin/tool")) {
          assertTrue(e.getExtraPaxHeaders().containsKey("SCHILY.xattr.security.capability"));
        }
      }
    }
    Map<String, String> expected = new LinkedHashMap<>();
    // bin/ itself is unchanged, but parents of written entries are written too (docker's
    // extractor would otherwise recreate it as 0755 root).
    expected.put("bin/", "dir");
    expected.put("bin/tool", "file:tool");
    expected.put("etc/", "dir");
    expected.put("etc/a.txt", "file:changed");
    expected.put("etc/.wh.b.txt", "file:");
    expected.put("links/", "dir");
    expected.put("links/one", "file:L");
    expected.put("links/sym", "symlink->../new.txt");
    expected.put("links/two", "hardlink->links/one");
    expected.put("new.txt", "file:hello");
    expected.put("opt/", "dir");
    expected.put("opt/.wh..wh..opq", "file:");
    expected.put("opt/z", "file:z");
    expected.put("pipe", "fifo");
    assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(entries.entrySet()));

    // The capability bytes survive byte-exact (commons-compress would decode them as UTF-8).
    TarReader reader = new TarReader(new ByteArrayInputStream(uncompressed.toByteArray()));
    TarEntry entry;
    while ((entry = reader.next()) != null) {
      if (entry.name().equals("bin/tool")) {
        assertArrayEquals(CAP, entry.xattrs().get("security.capability"));
        assertEquals(0755, entry.mode());
      }
    }

    // Apply the change on top and look at the merged view through a read-only overlay.
    Snapshot both = store.snapshots().prepare(List.of(baseLayer, change));
    assertEquals(2, both.lowerDirsTopFirst().size());
    assertEquals(lower.lowerDirsTopFirst().get(0), both.lowerDirsTopFirst().get(1),
        "the base layer is unpacked once");
    Path top = both.absoluteLowerDirsTopFirst().get(0);
    assertEquals(0L, Files.getAttribute(top.resolve("etc/b.txt"), "unix:rdev",
        LinkOption.NOFOLLOW_LINKS));
    assertArrayEquals("y".getBytes(StandardCharsets.US_ASCII),
        Posix.lgetxattr(top.resolve("opt"), "trusted.overlay.opaque").orElseThrow());

    Path view = Files.createDirectory(tmp.resolve("view"));
    // Relative lowerdirs from the layers root, as the runner mounts them.
    run("/bin/sh", "-c", "cd '" + both.layersRoot() + "' && /bin/mount -t overlay overlay -o"
        + " ro,lowerdir=" + both.relativeLowerDirOption() + " '" + view + "'");
    try {
      Map<String, String> tree = describe(view);
      Map<String, String> expectedTree = new TreeMap<>();
      expectedTree.put("bin", "dir");
      expectedTree.put("bin/tool", "file:tool");
      expectedTree.put("data", "dir");
      expectedTree.put("data/keep.txt", "file:keep");
      expectedTree.put("etc", "dir");
      expectedTree.put("etc/a.txt", "file:changed");
      expectedTree.put("links", "dir");
      expectedTree.put("links/one", "file:L");
      expectedTree.put("links/sym", "symlink->../new.txt");
      expectedTree.put("links/two", "file:L");
      expectedTree.put("new.txt", "file:hello");
      expectedTree.put("opt", "dir");
      expectedTree.put("opt/z", "file:z");
      expectedTree.put("pipe", "fifo");
      assertEquals(expectedTree, tree);
      assertTrue(Files.isSameFile(view.resolve("links/one"), view.resolve("links/two")));
      assertArrayEquals(CAP, Posix.lgetxattr(view.resolve("bin/tool"), "security.capability")
          .orElseThrow());
      assertEquals(0755, (Integer) Files.getAttribute(view.resolve("bin/tool"), "unix:mode")
          & 07777);
    } finally {
      run("/bin/umount", view.toString());
    }
  }

  @Test
  void emptyUpper_givesNoLayer() throws IOException {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    try (Scratch scratch = store.snapshots().newScratch()) {
      assertTrue(LayerDiffer.diff(scratch.upperDir(), List.of(), store.content()).isEmpty());
    }
    try (Stream<Path> s = Files.list(tmp.resolve("store/ingest"))) {
      assertEquals(0, s.count());
    }
  }

  static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (p.equals(root)) {
          continue;
        }
        String rel = root.relativize(p).toString();
        int fmt = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)
            & Posix.S_IFMT;
        String kind;
        if (fmt == Posix.S_IFDIR) {
          kind = "dir";
        } else if (fmt == Posix.S_IFLNK) {
          kind = "symlink->" + Files.readSymbolicLink(p);
        } else if (fmt == Posix.S_IFIFO) {
          kind = "fifo";
        } else if (fmt == Posix.S_IFREG) {
          kind = "file:" + Files.readString(p);
        } else {
          kind = "other:" + Integer.toOctalString(fmt);
        }
        tree.put(rel, kind);
      }
    }
    return tree;
  }
}
