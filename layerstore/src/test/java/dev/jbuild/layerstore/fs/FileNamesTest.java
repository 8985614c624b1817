package dev.jbuild.layerstore.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileNames}: names that are not valid UTF-8 (Latin-1 {@code caf\xe9}, which Linux allows
 * and Docker copies byte for byte) survive bytes → string → bytes and string → path → listing.
 */
class FileNamesTest {
  @TempDir Path tmp;

  /** The file {@code dir/<name bytes>}, made without FileNames (a file: URI keeps bytes). */
  static Path rawChild(Path dir, String percentEncodedName) {
    return Path.of(URI.create("file://" + dir.toAbsolutePath() + "/" + percentEncodedName));
  }

  @Test
  void everyByte_roundTrips() {
    for (int b = 1; b < 256; b++) {
      byte[] name = {'x', (byte) b, 'y'};
      String s = FileNames.decode(name);
      assertArrayEquals(name, FileNames.encode(s), "byte " + b);
    }
    assertEquals("caf\uDCE9", FileNames.decode(new byte[] {'c', 'a', 'f', (byte) 0xe9}));
  }

  @Test
  void validUtf8_isItsOrdinaryString() {
    for (String s : List.of("café", "ünïcode/dir", "\uD83D\uDE00 emoji", "\uFFFD literal",
        "\uD800\uDC80 (U+10080, a pair whose low half is in the escape range)")) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      assertEquals(s, FileNames.decode(utf8));
      assertArrayEquals(utf8, FileNames.encode(s));
      assertFalse(FileNames.isEscaped(s) && s.chars().noneMatch(c -> Character.isSurrogate((char) c)), s);
    }
  }

  @Test
  void randomBytes_roundTrip() {
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      byte[] name = new byte[1 + random.nextInt(12)];
      random.nextBytes(name);
      assertArrayEquals(name, FileNames.encode(FileNames.decode(name)));
    }
  }

  @Test
  void surrogateEncodingsAndOverlongForms_areEscapedNotDecoded() {
    // ED B0 80 would be U+DC00 (a surrogate), C0 AF an overlong '/': both invalid UTF-8.
    byte[][] invalid = {{(byte) 0xed, (byte) 0xb0, (byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}};
    for (byte[] b : invalid) {
      String s = FileNames.decode(b);
      assertEquals(b.length, s.length(), "one escape per byte");
      assertFalse(s.contains("/"));
      assertArrayEquals(b, FileNames.encode(s));
    }
  }

  @Test
  void resolveAndList_keepTheBytes() throws Exception {
    Path made = FileNames.resolve(tmp, "caf\uDCE9");
    Files.writeString(made, "latin-1");
    Path dir = Files.createDirectories(FileNames.resolve(tmp, "d\uDCFF/sub"));
    try (var list = Files.list(tmp)) {
      List<String> raw = list.map(p -> p.toUri().getRawPath()).sorted().toList();
      assertEquals(List.of(tmp.toUri().getRawPath() + "caf%E9",
          tmp.toUri().getRawPath() + "d%FF/"), raw);
    }
    Path listed = rawChild(tmp, "caf%E9");
    assertEquals("caf\uDCE9", FileNames.name(listed));
    assertArrayEquals(new byte[] {'c', 'a', 'f', (byte) 0xe9}, FileNames.bytes(listed.getFileName()));
    assertEquals(listed, made);
    assertEquals("latin-1", Files.readString(listed));
    assertTrue(Files.isDirectory(dir));
    assertEquals("sub", FileNames.name(dir));
    assertEquals("d\uDCFF", FileNames.name(dir.getParent()));
    // A directory's own bytes: toUri()'s trailing slash is not part of them.
    byte[] dirBytes = FileNames.bytes(dir.getParent());
    assertEquals((byte) 0xff, dirBytes[dirBytes.length - 1]);
  }

  @Test
  void relativePaths_stayRelative_asSymlinkTargets() throws Exception {
    Path target = FileNames.path("../x\uDCE9/y");
    assertFalse(target.isAbsolute());
    assertEquals("../x\uDCE9/y", FileNames.string(target));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
    assertEquals("../x\uDCE9/y", FileNames.string(Files.readSymbolicLink(link)));
    Process p = new ProcessBuilder("readlink", link.toString()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor());
    assertArrayEquals(new byte[] {'.', '.', '/', 'x', (byte) 0xe9, '/', 'y', '\n'}, out);
    Path absolute = FileNames.path("/abs/\uDCE9");
    assertTrue(absolute.isAbsolute());
    assertArrayEquals(new byte[] {'/', 'a', 'b', 's', '/', (byte) 0xe9}, FileNames.bytes(absolute));
  }

  @Test
  void hostileNames_areRefusedOrKeptLiteral() {
    assertThrows(IllegalArgumentException.class, () -> FileNames.path("a\u0000\uDCE9"));
    // Percent signs and '?' are names, not URI syntax.
    Path p = FileNames.path("/x/%41?#\uDCE9");
    assertArrayEquals(new byte[] {'/', 'x', '/', '%', '4', '1', '?', '#', (byte) 0xe9},
        FileNames.bytes(p));
    // ".." stays a component: resolving never normalizes it away.
    assertEquals(tmp.resolve("../e"), FileNames.resolve(tmp, "../e"));
    assertEquals(tmp.resolve(".."), FileNames.resolve(tmp, "../\uDCE9").getParent());
  }
}
