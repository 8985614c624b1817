package dev.jbuild.layerstore.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.hash.DigestMismatchException;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.posix.Posix;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link SafeTarExtractor}: refusals, whiteouts, replacement rules, DiffID checks. */
class SafeTarExtractorTest {
  @TempDir Path tmp;
  private Path root;
  private Path outside;

  @BeforeEach
  void dirs() throws IOException {
    root = Files.createDirectory(tmp.resolve("root"));
    outside = Files.createDirectory(tmp.resolve("outside"));
  }

  /** An entry plus its content, for building test tars. */
  record Item(TarEntry entry, String content) {
    static Item file(String name, String content) {
      return new Item(TarEntry.file(name, 0644, 0, 0, content.length(), 1), content);
    }

    static Item dir(String name) {
      return new Item(TarEntry.directory(name, 0755, 0, 0, 1), null);
    }

    static Item symlink(String name, String target) {
      return new Item(TarEntry.symlink(name, target, 0, 0, 1), null);
    }

    static Item hardlink(String name, String target) {
      return new Item(new TarEntry(name, TarEntry.Type.HARDLINK, 0644, 0, 0, 0, 1, target, 0, 0,
          Map.of()), null);
    }
  }

  static byte[] tar(Item... items) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (Item i : items) {
        w.write(i.entry(), i.content() == null ? null
            : new ByteArrayInputStream(i.content().getBytes(StandardCharsets.UTF_8)));
      }
    }
    return out.toByteArray();
  }

  private static SafeTarExtractor applier() {
    return new SafeTarExtractor(SafeTarExtractor.Options.apply());
  }

  private Digest extract(byte[] tar) throws IOException {
    return applier().extract(new ByteArrayInputStream(tar), root);
  }

  private void assertOutsideUntouched() throws IOException {
    try (var s = Files.list(outside)) {
      assertEquals(0, s.count(), "something was written outside the root");
    }
  }

  @Test
  void dotDotEntry_isRefused() throws IOException {
    assertThrows(UnsafeTarEntryException.class, () -> extract(tar(Item.file("../outside/x", "x"))));
    assertThrows(UnsafeTarEntryException.class,
        () -> extract(tar(Item.file("a/../../outside/x", "x"))));
    assertOutsideUntouched();
  }

  @Test
  void absoluteEntry_isRefused() throws IOException {
    String abs = outside.resolve("x").toString();
    assertThrows(UnsafeTarEntryException.class, () -> extract(tar(Item.file(abs, "x"))));
    assertOutsideUntouched();
  }

  @Test
  void writeThroughRelativeEscapingSymlink_isRefused() throws IOException {
    byte[] t = tar(Item.symlink("evil", "../outside"), Item.file("evil/pwned", "x"));
    assertThrows(UnsafeTarEntryException.class, () -> extract(t));
    assertOutsideUntouched();
  }

  @Test
  void writeThroughAbsoluteSymlink_staysInsideRoot() throws IOException {
    // An absolute target means the container's root, as containerd's fs.RootPath resolves it.
    byte[] t = tar(Item.symlink("evil", outside.toString()), Item.file("evil/pwned", "x"));
    extract(t);
    assertOutsideUntouched();
    assertTrue(Files.isRegularFile(root.resolve(outside.toString().substring(1)).resolve("pwned")));
  }

  @Test
  void fileOverSymlink_replacesLinkInsteadOfWritingThroughIt() throws IOException {
    Path victim = Files.writeString(outside.resolve("victim"), "safe");
    byte[] t = tar(Item.symlink("link", victim.toString()), Item.file("link", "new"));
    extract(t);
    assertEquals("safe", Files.readString(victim));
    assertFalse(Files.isSymbolicLink(root.resolve("link")));
    assertEquals("new", Files.readString(root.resolve("link")));
  }

  @Test
  void hardlinkOutsideRoot_isRefused() throws IOException {
    Files.writeString(outside.resolve("secret"), "s");
    assertThrows(UnsafeTarEntryException.class,
        () -> extract(tar(Item.hardlink("h", "../outside/secret"))));
    assertThrows(UnsafeTarEntryException.class,
        () -> extract(tar(Item.hardlink("h", outside.resolve("secret").toString()))));
    byte[] viaSymlink = tar(Item.symlink("s", "../outside"), Item.hardlink("h", "s/secret"));
    assertThrows(UnsafeTarEntryException.class, () -> extract(viaSymlink));
    assertFalse(Files.exists(root.resolve("h"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void hardlinkInsideLayer_isCreated() throws IOException {
    extract(tar(Item.file("a", "data"), Item.hardlink("b", "a")));
    assertTrue(Files.isSameFile(root.resolve("a"), root.resolve("b")));
  }

  @Test
  void devices_refusedWhenConfigured() throws IOException {
    byte[] t = tar(new Item(new TarEntry("null", TarEntry.Type.CHAR_DEVICE, 0666, 0, 0, 0, 0, "",
        1, 3, Map.of()), null));
    SafeTarExtractor refusing = new SafeTarExtractor(
        SafeTarExtractor.Options.apply().withDevices(SafeTarExtractor.DevicePolicy.REFUSE));
    assertThrows(UnsafeTarEntryException.class,
        () -> refusing.extract(new ByteArrayInputStream(t), root));
    SafeTarExtractor skipping = new SafeTarExtractor(
        SafeTarExtractor.Options.apply().withDevices(SafeTarExtractor.DevicePolicy.SKIP));
    skipping.extract(new ByteArrayInputStream(t), root);
    assertFalse(Files.exists(root.resolve("null"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void returnsDiffIdOfUncompressedTar_andChecksIt() throws IOException {
    byte[] t = tar(Item.dir("d"), Item.file("d/f", "hello"));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
      g.write(t);
    }
    Digest diffId = applier().extract(new ByteArrayInputStream(gz.toByteArray()), root);
    assertEquals(Digest.sha256(t), diffId);
    Path other = Files.createDirectory(tmp.resolve("other"));
    assertThrows(DigestMismatchException.class, () -> applier().extract(
        new ByteArrayInputStream(t), other, Digest.sha256("something else")));
  }

  @Test
  void applyMode_whiteoutsAndOpaqueAfterChildren() throws IOException {
    extract(tar(Item.dir("etc"), Item.file("etc/a", "a"), Item.file("etc/b", "b"),
        Item.dir("opt"), Item.file("opt/old", "old")));
    // The opaque marker comes after a child of the same layer: that child must survive.
    extract(tar(Item.file("etc/.wh.b", ""), Item.dir("opt"), Item.file("opt/new", "new"),
        Item.file("opt/.wh..wh..opq", "")));
    assertTrue(Files.exists(root.resolve("etc/a")));
    assertFalse(Files.exists(root.resolve("etc/b")));
    assertFalse(Files.exists(root.resolve("etc/.wh.b")));
    assertEquals(List.of("new"), list(root.resolve("opt")));
  }

  @Test
  void dirOverDir_keepsChildrenAndUpdatesMode_fileOverDir_replaces() throws IOException {
    extract(tar(Item.dir("d"), Item.file("d/keep", "k"), Item.dir("x"), Item.file("x/gone", "g")));
    TarEntry dirEntry = TarEntry.directory("d", 0700, 0, 0, 12345);
    extract(tar(new Item(dirEntry, null), Item.file("x", "now a file")));
    assertTrue(Files.exists(root.resolve("d/keep")));
    assertEquals(0700, (Integer) Files.getAttribute(root.resolve("d"), "unix:mode") & 07777);
    assertEquals(12345, Files.getLastModifiedTime(root.resolve("d")).toMillis() / 1000);
    assertEquals("now a file", Files.readString(root.resolve("x")));
  }

  private static List<String> list(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  @Tag("root")
  void overlayMode_opaqueMarkerAfterChildren_setsXattrAndKeepsChildren() throws IOException {
    SafeTarExtractor overlay = new SafeTarExtractor(SafeTarExtractor.Options.overlay());
    byte[] t = tar(Item.dir("opt"), Item.file("opt/z", "z"), Item.file("opt/.wh..wh..opq", ""),
        Item.file(".wh.gone", ""), Item.file("ok", "ok"), Item.file(".wh.ok", ""));
    overlay.extract(new ByteArrayInputStream(t), root);
    assertArrayEquals("y".getBytes(StandardCharsets.US_ASCII),
        Posix.lgetxattr(root.resolve("opt"), "trusted.overlay.opaque").orElseThrow());
    assertEquals("z", Files.readString(root.resolve("opt/z")));
    long rdev = (Long) Files.getAttribute(root.resolve("gone"), "unix:rdev",
        LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) Files.getAttribute(root.resolve("gone"), "unix:mode",
        LinkOption.NOFOLLOW_LINKS);
    assertEquals(Posix.S_IFCHR, mode & Posix.S_IFMT);
    assertEquals(0, rdev);
    // A whiteout cannot hide an entry of its own layer.
    assertEquals("ok", Files.readString(root.resolve("ok")));
  }
}
