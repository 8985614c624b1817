package dev.jbuild.samples.attack;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes tar archives byte by byte, without the checks a real tar writer makes, so a test can put
 * anything into a layer: {@code ..} names, absolute names, links that climb out, device nodes,
 * PAX records that override a harmless ustar name, overlay xattrs, NUL bytes in names and GNU
 * sparse entries that claim a huge size. Header layout as in POSIX.1-2001 ustar/pax; the sparse
 * form is GNU's PAX sparse 1.0 ({@code GNU.sparse.major=1}).
 *
 * <p>Not thread-safe; one archive per instance.
 */
final class EvilTar {
  private static final int BLOCK = 512;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private Map<String, byte[]> pendingPax = new LinkedHashMap<>();

  /** Adds PAX records (for example {@code path}, {@code SCHILY.xattr.*}) to the next entry. */
  EvilTar pax(String key, String value) {
    pendingPax.put(key, value.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  EvilTar file(String name, String content) {
    return file(name, content, 0644);
  }

  EvilTar file(String name, String content, int mode) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), mode);
  }

  EvilTar file(String name, byte[] data, int mode) {
    entry(bytes(name), '0', mode, data.length, "", 0, 0);
    padded(data);
    return this;
  }

  /** A regular file whose ustar name field holds exactly {@code rawName} (NULs included). */
  EvilTar fileRawName(byte[] rawName, String content) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    entry(rawName, '0', 0644, data.length, "", 0, 0);
    padded(data);
    return this;
  }

  EvilTar dir(String name) {
    entry(bytes(name), '5', 0755, 0, "", 0, 0);
    return this;
  }

  EvilTar symlink(String name, String target) {
    entry(bytes(name), '2', 0777, 0, target, 0, 0);
    return this;
  }

  EvilTar hardlink(String name, String target) {
    entry(bytes(name), '1', 0644, 0, target, 0, 0);
    return this;
  }

  EvilTar charDevice(String name, int major, int minor) {
    entry(bytes(name), '3', 0666, 0, "", major, minor);
    return this;
  }

  /**
   * A GNU PAX 1.0 sparse file of {@code realSize} bytes whose only data is {@code data} at the
   * end; the archive itself stays a few blocks long.
   */
  EvilTar sparse(String name, long realSize, byte[] data) {
    pax("GNU.sparse.major", "1");
    pax("GNU.sparse.minor", "0");
    pax("GNU.sparse.name", name);
    pax("GNU.sparse.realsize", Long.toString(realSize));
    byte[] map = ("1\n" + (realSize - data.length) + "\n" + data.length + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] paddedMap = Arrays.copyOf(map, roundUp(map.length));
    entry(bytes("GNUSparseFile.0/" + name), '0', 0644, paddedMap.length + data.length, "", 0, 0);
    out.writeBytes(paddedMap);
    padded(data);
    return this;
  }

  /** The archive with its end-of-archive marker. */
  byte[] bytes() {
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    copy.writeBytes(out.toByteArray());
    copy.writeBytes(new byte[2 * BLOCK]);
    return copy.toByteArray();
  }

  private void entry(byte[] name, char type, int mode, long size, String link, int major,
      int minor) {
    if (!pendingPax.isEmpty()) {
      byte[] records = paxRecords(pendingPax);
      pendingPax = new LinkedHashMap<>();
      out.writeBytes(header(bytes("PaxHeaders.0/entry"), 'x', 0644, records.length, "", 0, 0));
      padded(records);
    }
    out.writeBytes(header(name, type, mode, size, link, major, minor));
  }

  private static byte[] header(byte[] name, char type, int mode, long size, String link,
      int major, int minor) {
    byte[] h = new byte[BLOCK];
    System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, 1_600_000_000L);
    h[156] = (byte) type;
    byte[] l = bytes(link);
    System.arraycopy(l, 0, h, 157, Math.min(100, l.length));
    System.arraycopy(bytes("ustar\0"), 0, h, 257, 6);
    h[263] = '0';
    h[264] = '0';
    octal(h, 329, 8, major);
    octal(h, 337, 8, minor);
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    byte[] chk = bytes(String.format("%06o", sum));
    System.arraycopy(chk, 0, h, 148, 6);
    h[154] = 0;
    return h;
  }

  /** {@code "<len> key=value\n"} records, where len counts the whole record. */
  private static byte[] paxRecords(Map<String, byte[]> records) {
    ByteArrayOutputStream r = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> e : records.entrySet()) {
      int rest = e.getKey().length() + e.getValue().length + 3; // ' ', '=', '\n'
      int len = rest + Integer.toString(rest).length();
      if (Integer.toString(len).length() != Integer.toString(rest).length()) {
        len++;
      }
      r.writeBytes(bytes(len + " " + e.getKey() + "="));
      r.writeBytes(e.getValue());
      r.write('\n');
    }
    return r.toByteArray();
  }

  private void padded(byte[] data) {
    out.writeBytes(data);
    out.writeBytes(new byte[roundUp(data.length) - data.length]);
  }

  private static int roundUp(int n) {
    return (n + BLOCK - 1) / BLOCK * BLOCK;
  }

  private static void octal(byte[] h, int off, int len, long value) {
    String s = String.format("%0" + (len - 1) + "o", value);
    System.arraycopy(bytes(s), 0, h, off, len - 1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
