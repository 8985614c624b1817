package dev.jbuild.layerstore.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The malicious-layer suite: every layer here tries to write, link, delete or create something
 * outside the extraction root, or to exhaust memory with oversized headers. Each case must fail
 * (or be neutralized) and leave the sandbox around the root exactly as it was: same paths, same
 * sizes, same contents, in both whiteout modes.
 */
class MaliciousLayerTest {
  @TempDir Path sandbox;
  private Path root;
  private Path outside;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectory(sandbox.resolve("root"));
    outside = Files.createDirectory(sandbox.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "secret");
    Files.writeString(outside.resolve("victim"), "victim");
    Files.createDirectory(outside.resolve("dir"));
    Files.writeString(outside.resolve("dir/keep"), "keep");
  }

  private static TarEntry file(String name, int size) {
    return TarEntry.file(name, 0644, 0, 0, size, 1);
  }

  private static TarEntry symlink(String name, String target) {
    return TarEntry.symlink(name, target, 0, 0, 1);
  }

  private static TarEntry hardlink(String name, String target) {
    return new TarEntry(name, TarEntry.Type.HARDLINK, 0644, 0, 0, 0, 1, target, 0, 0, Map.of());
  }

  private static TarEntry dir(String name) {
    return TarEntry.directory(name, 0755, 0, 0, 1);
  }

  private static TarEntry charDevice(String name, int major, int minor) {
    return new TarEntry(name, TarEntry.Type.CHAR_DEVICE, 0666, 0, 0, 0, 1, "", major, minor,
        Map.of());
  }

  private static byte[] tar(TarEntry... entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (TarEntry e : entries) {
        byte[] content = new byte[(int) e.size()];
        Arrays.fill(content, (byte) 'x');
        w.write(e, new ByteArrayInputStream(content));
      }
    }
    return out.toByteArray();
  }

  /** Path → (type, size, content) of everything in the sandbox except the root's insides. */
  private Map<String, String> outsideState() throws IOException {
    Map<String, String> state = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(sandbox)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (p.startsWith(root) && !p.equals(root)) {
          continue;
        }
        String kind = Files.isSymbolicLink(p) ? "link:" + Files.readSymbolicLink(p)
            : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
            : "file:" + Files.readString(p) + ":" + Files.getAttribute(p, "unix:nlink",
                LinkOption.NOFOLLOW_LINKS);
        state.put(sandbox.relativize(p).toString(), kind);
      }
    }
    return state;
  }

  /** Extracts in both modes; each attempt must fail or stay inside, never touching the outside. */
  private void assertContained(byte[] tar, boolean mustFail, SafeTarExtractor.Options... modes)
      throws IOException {
    Map<String, String> before = outsideState();
    for (SafeTarExtractor.Options options : modes) {
      IOException failure = null;
      try {
        new SafeTarExtractor(options).extract(new ByteArrayInputStream(tar), root);
      } catch (IOException e) {
        failure = e;
      }
      if (mustFail) {
        assertTrue(failure != null, "the layer was accepted in " + options.whiteouts() + " mode");
      }
      assertEquals(before, outsideState(), "something outside the root changed ("
          + options.whiteouts() + " mode)");
      dev.jbuild.layerstore.fs.Trees.deleteChildren(root);
    }
  }

  private static SafeTarExtractor.Options apply() {
    return SafeTarExtractor.Options.apply().withDevices(SafeTarExtractor.DevicePolicy.REFUSE);
  }

  private static SafeTarExtractor.Options overlay() {
    return SafeTarExtractor.Options.overlay().withDevices(SafeTarExtractor.DevicePolicy.REFUSE);
  }

  @Test
  void pathTraversal() throws IOException {
    assertContained(tar(file("../outside/secret", 3)), true, apply());
    assertContained(tar(file("a/../../outside/secret", 3)), true, apply());
    assertContained(tar(file("./../outside/new", 3)), true, apply());
    assertContained(tar(dir("../outside/newdir")), true, apply());
  }

  @Test
  void absolutePaths() throws IOException {
    assertContained(tar(file(outside.resolve("secret").toString(), 3)), true, apply());
    assertContained(tar(file("/etc/jbuild-malicious-test", 3)), true, apply());
    assertContained(tar(hardlink("h", outside.resolve("secret").toString())), true, apply());
  }

  @Test
  void symlinkEscapes() throws IOException {
    String up = "../" + sandbox.relativize(outside);
    // Write through a relative symlink that climbs out.
    assertContained(tar(symlink("esc", "../outside"), file("esc/secret", 3)), true, apply());
    // A chain of symlinks that climbs out only at the end.
    assertContained(tar(dir("a"), symlink("a/b", "../c"), symlink("c", ".."),
        file("a/b/outside/victim", 3)), true, apply());
    // An absolute symlink is resolved inside the root: the write lands inside.
    assertContained(tar(symlink("abs", outside.toString()), file("abs/secret", 3)), false,
        apply());
    assertContained(tar(symlink("abs", outside.toString()), dir("abs/newdir")), false, apply());
    // Replacing a symlink with a file must not write through it.
    assertContained(tar(symlink("s", up + "/secret"), file("s", 3)), false, apply());
    // Symlink loops end with an error, not a hang.
    assertContained(tar(symlink("l1", "l2"), symlink("l2", "l1"), file("l1/x", 1)), true,
        apply());
  }

  @Test
  void hardlinkEscapes() throws IOException {
    assertContained(tar(hardlink("h", "../outside/secret")), true, apply());
    assertContained(tar(symlink("s", "../outside"), hardlink("h", "s/secret")), true, apply());
    assertContained(tar(symlink("abs", outside.toString()), hardlink("h", "abs/secret")), true,
        apply());
    // A hardlink to a symlink that points outside links the symlink itself, never its target.
    assertContained(tar(symlink("s", outside.resolve("secret").toString()), hardlink("h", "s")),
        false, apply());
  }

  @Test
  void whiteoutsOutsideRoot() throws IOException {
    assertContained(tar(file("../outside/.wh.victim", 0)), true, apply());
    assertContained(tar(symlink("s", "../outside"), file("s/.wh.victim", 0)), true, apply());
    assertContained(tar(symlink("s", "../outside"), file("s/.wh..wh..opq", 0)), true, apply());
    assertContained(tar(file(".wh...", 0)), true, apply());
    assertContained(tar(file(".wh..", 0)), true, apply());
    // An absolute symlink keeps the whiteout inside: "outside/dir" is looked up in the root.
    assertContained(tar(symlink("s", outside.toString()), file("s/.wh.dir", 0)), false, apply());
  }

  @Test
  @Tag("root")
  void whiteoutsOutsideRoot_overlayMode() throws IOException {
    assertContained(tar(file("../outside/.wh.victim", 0)), true, overlay());
    assertContained(tar(symlink("s", "../outside"), file("s/.wh.victim", 0)), true, overlay());
    assertContained(tar(symlink("s", "../outside"), file("s/.wh..wh..opq", 0)), true, overlay());
    assertContained(tar(symlink("s", "../outside"), hardlink("h", "s/secret")), true, overlay());
  }

  @Test
  void deviceNodes_whereNotAllowed() throws IOException {
    assertContained(tar(charDevice("dev/mem", 1, 1)), true, apply());
    assertContained(tar(new TarEntry("dev/sda", TarEntry.Type.BLOCK_DEVICE, 0660, 0, 0, 0, 1, "",
        8, 0, Map.of())), true, apply());
    // Skipped, not created, when the policy says so.
    new SafeTarExtractor(SafeTarExtractor.Options.apply()
        .withDevices(SafeTarExtractor.DevicePolicy.SKIP))
        .extract(new ByteArrayInputStream(tar(charDevice("mem", 1, 1))), root);
    assertTrue(Files.notExists(root.resolve("mem"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void overlayXattrsFromTheTar_areIgnored() throws IOException {
    TarEntry redirect = dir("d").withXattrs(Map.of("trusted.overlay.redirect",
        "/outside".getBytes(StandardCharsets.UTF_8)));
    assertContained(tar(redirect), false, apply());
  }

  @Test
  void refusalMessages_escapeControlCharactersInNames() throws IOException {
    // The name reaches the user's terminal in the error line: an OSC/CSI must arrive escaped.
    String name = "\u001b]2;title\u0007\u009b2J/../x";
    UnsafeTarEntryException e = assertThrows(UnsafeTarEntryException.class,
        () -> new SafeTarExtractor(apply()).extract(new ByteArrayInputStream(
            tar(file(name, 1))), root));
    assertTrue(e.getMessage().contains("'\\x1b]2;title\\x07\\x9b2J/../x'"), e.getMessage());
    assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20 || c >= 0x7f && c <= 0x9f),
        e.getMessage());
    assertEquals(name, e.entryName());
  }

  /** A header block with an arbitrary (possibly huge) size field. */
  private static byte[] rawHeader(String name, char type, long size) {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, h, 0, n.length);
    put(h, 100, 8, "0000644");
    put(h, 108, 8, "0000000");
    put(h, 116, 8, "0000000");
    put(h, 124, 12, String.format("%011o", size));
    put(h, 136, 12, "00000000000");
    h[156] = (byte) type;
    put(h, 257, 6, "ustar");
    h[263] = '0';
    h[264] = '0';
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, 7, String.format("%06o", sum));
    return h;
  }

  private static void put(byte[] h, int off, int len, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, Math.min(len, b.length));
  }

  @Test
  void oversizedHeaders_areRefusedWithoutReadingThem() throws IOException {
    // A PAX header claiming 8 GiB, a GNU long name of 1 GiB: refused before allocating.
    for (char type : new char[] {'x', 'g', 'L', 'K'}) {
      byte[] archive = concat(rawHeader("././@Header", type, 8L << 30), new byte[1024]);
      assertContained(archive, true, apply());
    }
    // A file entry claiming more data than the archive has: truncated, refused.
    assertContained(concat(rawHeader("big", '0', 1L << 40), new byte[2048]), true, apply());
    // A PAX record with a length that runs past its header.
    byte[] pax = "999 path=x\n".getBytes(StandardCharsets.US_ASCII);
    assertContained(concat(rawHeader("p", 'x', pax.length), pad(pax),
        rawHeader("f", '0', 0), new byte[1024]), true, apply());
    // A sparse map claiming more segments than allowed.
    byte[] sparse = ("10 GNU.sparse.major=1\n10 GNU.sparse.minor=0\n"
        + "24 GNU.sparse.realsize=9\n").getBytes(StandardCharsets.US_ASCII);
    byte[] map = "99999999999\n".getBytes(StandardCharsets.US_ASCII);
    assertContained(concat(rawHeader("p", 'x', sparse.length), pad(sparse),
        rawHeader("s", '0', 512), pad(map), new byte[1024]), true, apply());
  }

  @Test
  void garbage_isRefused() throws IOException {
    byte[] junk = new byte[4096];
    new java.util.Random(7).nextBytes(junk);
    assertContained(junk, true, apply());
    byte[] nul = rawHeader("a\0b", '0', 0);
    List<byte[]> parts = new ArrayList<>(List.of(nul, new byte[1024]));
    assertContained(concat(parts.toArray(new byte[0][])), false, apply());
  }

  private static byte[] pad(byte[] b) {
    return Arrays.copyOf(b, (b.length + 511) / 512 * 512);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /**
   * The name checks that need no file system refuse a layer as it is loaded or pulled, so a store
   * never tags an image whose layer could only fail later (issue #10: malicious layers refused).
   * Names that are fine by themselves (a symlink to "/", a deep relative path) pass.
   */
  @Test
  void staticChecks_refuseUnsafeNamesWhenALayerIsStored(@TempDir Path store) throws IOException {
    for (TarEntry bad : List.of(file("../outside/secret", 3), file("a/../../x", 1),
        file("/etc/passwd", 1), hardlink("h", "../../etc/shadow"), hardlink("h", "/etc/shadow"),
        hardlink("h", "."), file("d/.wh...", 0), file("d/.wh..", 0), file("a\u0000b", 1))) {
      assertThrows(UnsafeTarEntryException.class, () -> SafeTarExtractor.checkStatically(bad),
          bad.name());
    }
    for (TarEntry good : List.of(symlink("root", "/"), symlink("up", "../../.."),
        file("./a/b/c", 1), dir("./"), file("d/.wh.gone", 0), file(".wh..wh..opq", 0),
        file(".wh..wh.plnk", 0), hardlink("h2", "./a/b/c"))) {
      SafeTarExtractor.checkStatically(good);
    }
    dev.jbuild.layerstore.content.ContentStore content =
        dev.jbuild.layerstore.LayerStore.open(store).content();
    UnsafeTarEntryException e = assertThrows(UnsafeTarEntryException.class,
        () -> dev.jbuild.layerstore.diff.LayerDiffer.fromTar(
            new ByteArrayInputStream(tar(dir("ok"), file("ok/../../x", 1))), content));
    assertTrue(e.getMessage().contains("'..' in path"), e.getMessage());
  }
}
