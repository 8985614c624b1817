package dev.jbuild.layerstore.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link TarWriter}'s header checksum and its reused copy buffer: the checksum field is
 * six octal digits, NUL, space (GNU tar's and Go's form) for small and for the largest sums, and
 * file contents of different sizes written one after another through the one buffer come out
 * whole and padded.
 */
class TarHeaderChecksumTest {
  private static byte[] tar(TarEntry... entries) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (TarEntry e : entries) {
        byte[] content = new byte[(int) e.size()];
        Arrays.fill(content, (byte) e.name().length());
        w.write(e, new ByteArrayInputStream(content));
      }
    }
    return out.toByteArray();
  }

  private static void assertChecksum(byte[] tar, int at) {
    byte[] h = Arrays.copyOfRange(tar, at, at + 512);
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    byte[] want = (String.format("%06o", sum) + "\0 ").getBytes(StandardCharsets.US_ASCII);
    assertArrayEquals(want, Arrays.copyOfRange(tar, at + 148, at + 156), "header at " + at);
  }

  @Test
  void checksums_smallAndNearTheLargest() throws Exception {
    // 99 bytes of 0xff-heavy UTF-8 in the name and link fields push the sum far past 8^5.
    String heavy = "\u07ff".repeat(49) + "x";
    byte[] out = tar(TarEntry.file("a", 0644, 0, 0, 0, 0),
        new TarEntry(heavy, TarEntry.Type.SYMLINK, 07777, 077777, 077777, 0, 077777777L, heavy, 0,
            0, java.util.Map.of()));
    assertChecksum(out, 0);
    assertChecksum(out, 512);
  }

  @Test
  void filesOfDifferentSizes_throughTheOneBuffer_comeOutWholeAndPadded() throws Exception {
    int[] sizes = {70_000, 3, 0, 65_536, 513};
    TarEntry[] entries = new TarEntry[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      entries[i] = TarEntry.file("f" + "x".repeat(i), 0644, 0, 0, sizes[i], 0);
    }
    byte[] out = tar(entries);
    TarReader reader = new TarReader(new ByteArrayInputStream(out));
    for (int i = 0; i < sizes.length; i++) {
      TarEntry e = reader.next();
      assertEquals(entries[i].name(), e.name());
      byte[] content = reader.content().readAllBytes();
      assertEquals(sizes[i], content.length);
      for (byte b : content) {
        assertEquals((byte) e.name().length(), b);
      }
    }
    assertEquals(null, reader.next());
  }
}
