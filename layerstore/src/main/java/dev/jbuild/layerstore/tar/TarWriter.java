package dev.jbuild.layerstore.tar;

import dev.jbuild.layerstore.fs.FileNames;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes a POSIX.1-2001 (PAX) tar: ustar headers, plus one PAX extended header before any entry
 * whose name, link name or numbers do not fit, and for extended attributes as {@code
 * SCHILY.xattr.<name>} records with raw byte values (Go's {@code archive/tar}, which containerd and
 * Docker use, reads them byte-exact). Output is a pure function of the entries: no user/group
 * names, no atime/ctime, PAX header entries named deterministically.
 *
 * <p>Not thread-safe. {@link #close} writes the end-of-archive marker and closes the delegate;
 * {@link #finish} writes the marker only.
 */
public final class TarWriter implements Closeable {
  private static final int BLOCK = 512;
  private static final long MAX_OCTAL_11 = 077777777777L;
  private static final long MAX_OCTAL_7 = 07777777L;
  private static final byte[] ZEROS = new byte[BLOCK];
  private static final byte[] USTAR = {'u', 's', 't', 'a', 'r', 0};

  private final OutputStream out;
  private boolean finished;
  /**
   * The copy buffer, made once per writer: a new 64 KiB array per file made a layer of 20k small
   * files allocate (and zero) 1.3 GB.
   */
  private byte[] buf;

  /** Writes to {@code out}, which should be buffered. */
  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /**
   * Writes one entry and, for regular files, exactly {@code entry.size()} bytes from {@code
   * content}.
   *
   * @param content the file content; ignored (may be null) for other entry types
   * @throws IOException if {@code content} ends early or writing fails
   */
  public void write(TarEntry entry, InputStream content) throws IOException {
    if (finished) {
      throw new IllegalStateException("tar already finished");
    }
    String name = entry.name();
    if (entry.isDirectory() && !name.endsWith("/")) {
      name = name + "/";
    }
    // A name's own bytes (FileNames): one that is not valid UTF-8 is written as it is on disk,
    // in the PAX path record, as Go's archive/tar writes a Go string (bytes) there.
    byte[] nameBytes = FileNames.encode(name);
    byte[] linkBytes = FileNames.encode(entry.linkName());
    List<byte[]> pax = new ArrayList<>();
    boolean nameFits = nameBytes.length <= 100 && isAscii(nameBytes);
    if (!nameFits) {
      pax.add(record("path", nameBytes));
    }
    if (linkBytes.length > 100 || !isAscii(linkBytes)) {
      pax.add(record("linkpath", linkBytes));
    }
    if (entry.size() > MAX_OCTAL_11) {
      pax.add(record("size", ascii(Long.toString(entry.size()))));
    }
    if (entry.mtime() < 0 || entry.mtime() > MAX_OCTAL_11) {
      pax.add(record("mtime", ascii(Long.toString(entry.mtime()))));
    }
    if (entry.uid() < 0 || entry.uid() > MAX_OCTAL_7) {
      pax.add(record("uid", ascii(Long.toString(entry.uid()))));
    }
    if (entry.gid() < 0 || entry.gid() > MAX_OCTAL_7) {
      pax.add(record("gid", ascii(Long.toString(entry.gid()))));
    }
    for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
      pax.add(record("SCHILY.xattr." + x.getKey(), x.getValue()));
    }
    if (!pax.isEmpty()) {
      int length = 0;
      for (byte[] r : pax) {
        length += r.length;
      }
      byte[] header = header(truncate(paxName(name)), 'x', 0644, 0, 0, length, 0, new byte[0], 0,
          0);
      out.write(header);
      for (byte[] r : pax) {
        out.write(r);
      }
      pad(length);
    }
    out.write(header(nameFits ? nameBytes : truncate(nameBytes), entry.type().flag(),
        entry.mode() & 07777, clamp(entry.uid(), MAX_OCTAL_7), clamp(entry.gid(), MAX_OCTAL_7),
        clamp(entry.size(), MAX_OCTAL_11), clamp(entry.mtime(), MAX_OCTAL_11),
        linkBytes.length <= 100 ? linkBytes : Arrays.copyOf(linkBytes, 100), entry.devMajor(),
        entry.devMinor()));
    if (entry.type() == TarEntry.Type.FILE && entry.size() > 0) {
      copy(content, entry.size(), entry.name());
      pad(entry.size());
    }
  }

  /** Writes the two zero blocks that end an archive, without closing the delegate. */
  public void finish() throws IOException {
    if (!finished) {
      finished = true;
      out.write(new byte[2 * BLOCK]);
      out.flush();
    }
  }

  /** Finishes and closes the delegate. */
  @Override
  public void close() throws IOException {
    try {
      finish();
    } finally {
      out.close();
    }
  }

  private void copy(InputStream content, long size, String name) throws IOException {
    if (buf == null) {
      buf = new byte[64 * 1024];
    }
    long left = size;
    while (left > 0) {
      int n = content.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("Tried to add " + name + " to a tar but failed because: the file"
            + " shrank while being read (" + (size - left) + " of " + size + " bytes)");
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }

  private void pad(long size) throws IOException {
    int rest = (int) (size % BLOCK);
    if (rest != 0) {
      out.write(ZEROS, 0, BLOCK - rest);
    }
  }

  private static byte[] header(byte[] name, char type, int mode, long uid, long gid, long size,
      long mtime, byte[] link, int devMajor, int devMinor) {
    byte[] h = new byte[BLOCK];
    System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
    octal(h, 100, 8, mode);
    octal(h, 108, 8, uid);
    octal(h, 116, 8, gid);
    octal(h, 124, 12, size);
    octal(h, 136, 12, mtime);
    Arrays.fill(h, 148, 156, (byte) ' ');
    h[156] = (byte) type;
    System.arraycopy(link, 0, h, 157, Math.min(100, link.length));
    System.arraycopy(USTAR, 0, h, 257, USTAR.length);
    h[263] = '0';
    h[264] = '0';
    if (type == '3' || type == '4') {
      octal(h, 329, 8, devMajor);
      octal(h, 337, 8, devMinor);
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    // Checksum: six octal digits, NUL, space (what GNU tar and Go write). Not String.format,
    // whose parsing cost more than the rest of the header on a layer of many small files.
    for (int i = 153, v = (int) sum; i >= 148; i--, v >>>= 3) {
      h[i] = (byte) ('0' + (v & 7));
    }
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  /**
   * Writes {@code value} as {@code length - 1} octal digits and a NUL: {@link Long#toOctalString}'s
   * digits (unsigned), zero-padded on the left, or their first {@code length - 1} when there are
   * more (a value the callers did not clamp, such as a large device number: the bytes it always
   * had). Digit by digit rather than through strings: it runs twice per entry and five times per
   * header.
   */
  static void octal(byte[] h, int offset, int length, long value) {
    int width = length - 1;
    int digits = value == 0 ? 1 : (Long.SIZE - Long.numberOfLeadingZeros(value) + 2) / 3;
    long v = value >>> (3 * Math.max(0, digits - width));
    for (int i = offset + width - 1; i >= offset; i--, v >>>= 3) {
      h[i] = (byte) ('0' + (v & 7));
    }
    h[offset + width] = 0;
  }

  /** One PAX record: {@code "<len> <key>=<value>\n"}, where len counts the whole record. */
  private static byte[] record(String key, byte[] value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    int rest = 1 + k.length + 1 + value.length + 1; // " " key "=" value "\n"
    int len = rest + 1;
    while (Integer.toString(len).length() + rest != len) {
      len = Integer.toString(len).length() + rest;
    }
    byte[] lenBytes = ascii(Integer.toString(len));
    byte[] r = new byte[len];
    int p = 0;
    System.arraycopy(lenBytes, 0, r, p, lenBytes.length);
    p += lenBytes.length;
    r[p++] = ' ';
    System.arraycopy(k, 0, r, p, k.length);
    p += k.length;
    r[p++] = '=';
    System.arraycopy(value, 0, r, p, value.length);
    p += value.length;
    r[p] = '\n';
    return r;
  }

  private static byte[] paxName(String name) {
    String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    int slash = trimmed.lastIndexOf('/');
    String dir = slash < 0 ? "." : trimmed.substring(0, slash);
    String base = trimmed.substring(slash + 1);
    return FileNames.encode(dir + "/PaxHeaders.0/" + base);
  }

  private static byte[] truncate(byte[] name) {
    // Keep the header name ASCII and short; the PAX "path" record carries the real one.
    byte[] t = Arrays.copyOf(name, Math.min(100, name.length));
    for (int i = 0; i < t.length; i++) {
      if (t[i] < 0) {
        t[i] = '_';
      }
    }
    return t;
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0 || b == 0) {
        return false;
      }
    }
    return true;
  }

  private static long clamp(long value, long max) {
    return value < 0 || value > max ? 0 : value;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
