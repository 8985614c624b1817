package dev.jbuild.layerstore.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/** Tests for {@link TarWriter} and {@link TarReader}, cross-checked with commons-compress. */
class TarCodecTest {
  private static final byte[] CAP = {1, 0, 0, 2, (byte) 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0};

  private static byte[] sample() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(bytes)) {
      w.write(TarEntry.directory("dir", 0755, 0, 0, 1000), null);
      byte[] data = "content".getBytes(StandardCharsets.UTF_8);
      w.write(new TarEntry("dir/cap", TarEntry.Type.FILE, 04755, 0, 0, data.length, 1000, "", 0,
          0, Map.of("security.capability", CAP)), new ByteArrayInputStream(data));
      String longName = "dir/" + "n".repeat(150) + "/ünïcode-file";
      w.write(TarEntry.file(longName, 0644, 3000000, 42, 0, 1L << 34), null);
      w.write(TarEntry.symlink("dir/link", "t".repeat(120), 0, 0, 5), null);
      w.write(new TarEntry("dir/hard", TarEntry.Type.HARDLINK, 0755, 0, 0, 0, 1000, "dir/cap", 0,
          0, Map.of()), null);
      w.write(new TarEntry("dev/null", TarEntry.Type.CHAR_DEVICE, 0666, 0, 0, 0, 0, "", 1, 3,
          Map.of()), null);
    }
    return bytes.toByteArray();
  }

  @Test
  void roundTrip_ownReader_keepsEverythingByteExact() throws IOException {
    TarReader r = new TarReader(new ByteArrayInputStream(sample()));
    TarEntry dir = r.next();
    assertEquals("dir/", dir.name());
    assertEquals(TarEntry.Type.DIRECTORY, dir.type());
    TarEntry cap = r.next();
    assertEquals("dir/cap", cap.name());
    assertEquals(04755, cap.mode());
    assertArrayEquals(CAP, cap.xattrs().get("security.capability"));
    assertEquals("content", new String(r.content().readAllBytes(), StandardCharsets.UTF_8));
    TarEntry big = r.next();
    assertEquals("dir/" + "n".repeat(150) + "/ünïcode-file", big.name());
    assertEquals(3000000, big.uid());
    assertEquals(1L << 34, big.mtime());
    TarEntry link = r.next();
    assertEquals(TarEntry.Type.SYMLINK, link.type());
    assertEquals("t".repeat(120), link.linkName());
    TarEntry hard = r.next();
    assertEquals(TarEntry.Type.HARDLINK, hard.type());
    assertEquals("dir/cap", hard.linkName());
    TarEntry dev = r.next();
    assertEquals(TarEntry.Type.CHAR_DEVICE, dev.type());
    assertEquals(1, dev.devMajor());
    assertEquals(3, dev.devMinor());
    assertNull(r.next());
  }

  @Test
  void output_isReadableByCommonsCompress() throws IOException {
    try (TarArchiveInputStream in = new TarArchiveInputStream(
        new ByteArrayInputStream(sample()), "UTF-8")) {
      TarArchiveEntry e = in.getNextEntry();
      assertEquals("dir/", e.getName());
      assertTrue(e.isDirectory());
      e = in.getNextEntry();
      assertEquals("dir/cap", e.getName());
      assertTrue(e.getExtraPaxHeaders().containsKey("SCHILY.xattr.security.capability"));
      assertEquals("content", new String(in.readAllBytes(), StandardCharsets.UTF_8));
      e = in.getNextEntry();
      assertEquals("dir/" + "n".repeat(150) + "/ünïcode-file", e.getName());
      assertEquals(3000000, e.getLongUserId());
      e = in.getNextEntry();
      assertTrue(e.isSymbolicLink());
      assertEquals("t".repeat(120), e.getLinkName());
      e = in.getNextEntry();
      assertTrue(e.isLink());
      e = in.getNextEntry();
      assertTrue(e.isCharacterDevice());
      assertEquals(3, e.getDevMinor());
      assertNull(in.getNextEntry());
    }
  }

  @Test
  void writer_isDeterministic() throws IOException {
    assertArrayEquals(sample(), sample());
  }
}
