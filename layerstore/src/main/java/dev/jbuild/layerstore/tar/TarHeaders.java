package dev.jbuild.layerstore.tar;

import dev.jbuild.layerstore.fs.FileNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The fields of one tar header block and of PAX records, parsed without any stream: ustar and old
 * GNU names, octal and GNU base-256 numbers, checksums, entry types, PAX {@code length key=value}
 * records. Every failure is an {@link IOException} worded for the user.
 */
final class TarHeaders {
  static final int BLOCK = 512;

  private TarHeaders() {}

  static TarEntry.Type typeOf(char type, byte[] h) throws IOException {
    switch (type) {
      case '0':
      case '\0':
      case '7':
        return TarEntry.Type.FILE;
      case '1':
        return TarEntry.Type.HARDLINK;
      case '2':
        return TarEntry.Type.SYMLINK;
      case '3':
        return TarEntry.Type.CHAR_DEVICE;
      case '4':
        return TarEntry.Type.BLOCK_DEVICE;
      case '5':
        return TarEntry.Type.DIRECTORY;
      case '6':
        return TarEntry.Type.FIFO;
      default:
        throw new IOException("Tried to read tar entry " + headerName(h) + " but failed because:"
            + " entry type '" + type + "' is not supported (sparse, multi-volume or vendor type)");
    }
  }

  static String headerName(byte[] h) {
    String name = string(h, 0, 100);
    boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a'
        && h[261] == 'r';
    // POSIX ustar has a 155-byte prefix; old GNU ("ustar  \0") uses that area for other fields.
    if (ustar && h[262] == 0) {
      String prefix = string(h, 345, 155);
      if (!prefix.isEmpty()) {
        return prefix + "/" + name;
      }
    }
    return name;
  }

  static long pad(long size) {
    long rest = size % BLOCK;
    return rest == 0 ? 0 : BLOCK - rest;
  }

  static boolean isZero(byte[] h) {
    for (byte b : h) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  static void verifyChecksum(byte[] h) throws IOException {
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte b = i >= 148 && i < 156 ? (byte) ' ' : h[i];
      unsigned += b & 0xff;
      signed += b;
    }
    long stored = number(h, 148, 8);
    if (stored != unsigned && stored != signed) {
      throw new IOException("Tried to read a tar header but failed because: bad header checksum"
          + " (the archive is corrupt or not a tar)");
    }
  }

  /** Parses an octal field, or GNU base-256 when the high bit of the first byte is set. */
  static long number(byte[] h, int offset, int length) throws IOException {
    if ((h[offset] & 0x80) != 0) {
      if ((h[offset] & 0x40) != 0) {
        throw new IOException("Tried to read a tar header but failed because: negative base-256"
            + " number");
      }
      long v = h[offset] & 0x3f;
      for (int i = 1; i < length; i++) {
        if ((v >>> 55) != 0) {
          throw new IOException("Tried to read a tar header but failed because: number overflow");
        }
        v = (v << 8) | (h[offset + i] & 0xff);
      }
      return v;
    }
    long v = 0;
    int i = offset;
    int end = offset + length;
    while (i < end && (h[i] == ' ' || h[i] == 0)) {
      i++;
    }
    for (; i < end; i++) {
      byte b = h[i];
      if (b == 0 || b == ' ') {
        break;
      }
      if (b < '0' || b > '7') {
        throw new IOException("Tried to read a tar header but failed because: invalid octal"
            + " number (the archive is corrupt or not a tar)");
      }
      v = (v << 3) + (b - '0');
    }
    return v;
  }

  static Map<String, byte[]> parsePax(byte[] data) throws IOException {
    Map<String, byte[]> records = new HashMap<>();
    int p = 0;
    while (p < data.length) {
      int space = p;
      while (space < data.length && data[space] != ' ') {
        space++;
      }
      int len;
      try {
        len = Integer.parseInt(new String(data, p, space - p, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw new IOException("Tried to read a PAX header but failed because: bad record length");
      }
      int end = p + len;
      if (len <= 0 || end > data.length || data[end - 1] != '\n') {
        throw new IOException("Tried to read a PAX header but failed because: malformed record");
      }
      int eq = space + 1;
      while (eq < end && data[eq] != '=') {
        eq++;
      }
      if (eq >= end) {
        throw new IOException("Tried to read a PAX header but failed because: record without '='");
      }
      String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
      byte[] value = new byte[end - 1 - (eq + 1)];
      System.arraycopy(data, eq + 1, value, 0, value.length);
      records.put(key, value);
      p = end;
    }
    return records;
  }

  static long parseLong(String key, String value) throws IOException {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IOException("Tried to read a PAX header but failed because: bad " + key + " '"
          + value + "'");
    }
  }

  static byte[] trimNul(byte[] data) {
    int end = data.length;
    while (end > 0 && data[end - 1] == 0) {
      end--;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(end);
    out.write(data, 0, end);
    return out.toByteArray();
  }

  static String string(byte[] h, int offset, int length) {
    int end = offset;
    while (end < offset + length && h[end] != 0) {
      end++;
    }
    return FileNames.decode(h, offset, end - offset);
  }

  static String utf8OrNull(byte[] bytes) {
    return bytes == null ? null : utf8(bytes).trim();
  }

  /** Names keep their bytes: escaped UTF-8 ({@link FileNames}), not replacement characters. */
  static String utf8(byte[] bytes) {
    return FileNames.decode(bytes);
  }
}
