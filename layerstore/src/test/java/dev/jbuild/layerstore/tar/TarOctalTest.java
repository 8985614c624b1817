package dev.jbuild.layerstore.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link TarWriter#octal} writes the bytes the string-based version wrote for every value, also
 * those the callers do not clamp (device numbers above 7 octal digits, negative ints widened), so
 * no layer's DiffID changes.
 */
class TarOctalTest {
  /** The earlier implementation, kept as the reference. */
  private static void reference(byte[] h, int offset, int length, long value) {
    String s = Long.toOctalString(value);
    StringBuilder b = new StringBuilder();
    for (int i = s.length(); i < length - 1; i++) {
      b.append('0');
    }
    b.append(s);
    System.arraycopy(b.toString().getBytes(StandardCharsets.US_ASCII), 0, h, offset, length - 1);
    h[offset + length - 1] = 0;
  }

  private static void check(long value) {
    for (int length : new int[] {8, 12}) {
      byte[] want = new byte[20];
      byte[] got = new byte[20];
      Arrays.fill(want, (byte) 'x');
      Arrays.fill(got, (byte) 'x');
      reference(want, 3, length, value);
      TarWriter.octal(got, 3, length, value);
      assertArrayEquals(want, got, "value " + value + " length " + length);
    }
  }

  @Test
  void edgesAndRandomValues_matchTheStringVersion() {
    long[] edges = {0, 1, 7, 8, 0644, 07777, 07777777L, 010000000L, 077777777777L,
        0100000000000L, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, Long.MAX_VALUE, Long.MIN_VALUE,
        1_796_212_640L, 300_000, 4097};
    for (long v : edges) {
      check(v);
      check(v + 1);
      check(v - 1);
    }
    SplittableRandom random = new SplittableRandom(18);
    for (int i = 0; i < 2_000; i++) {
      long v = random.nextLong();
      check(v >>> random.nextInt(64));
      check(v);
    }
  }
}
