package dev.jbuild.samples.oracle;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The entries of one tar stream (a layer or a {@code docker export}), keyed by normalized path,
 * with every attribute the comparison looks at. Content is reduced to its SHA-256.
 */
final class TarTree {
  /** One tar entry. {@code type} is ls-style: - d l h c b p. Whiteouts are plain files. */
  record Entry(String path, char type, int mode, long uid, long gid, long size, String link,
      String sha256, Map<String, String> xattrs, long mtimeSeconds, int devMajor, int devMinor,
      String preview) {
    boolean isWhiteout() {
      String name = path.substring(path.lastIndexOf('/') + 1);
      return name.startsWith(".wh.");
    }
  }

  /** Small text files are shown in differences; anything else by its digest. */
  private static final int PREVIEW_BYTES = 300;

  private TarTree() {}

  private static String preview(byte[] head, long size) {
    boolean text = size == head.length;
    for (byte b : head) {
      text &= b == '\n' || b == '\t' || (b >= 0x20 && b < 0x7f);
    }
    if (text) {
      return '"' + new String(head, java.nio.charset.StandardCharsets.US_ASCII)
          .replace("\n", "\\n") + '"';
    }
    return size + "B";
  }

  /** Reads a tar (gzip detected by magic) into path → entry, in archive order. */
  static Map<String, Entry> read(InputStream raw) throws IOException {
    InputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) {
      in = new GzipCompressorInputStream(in);
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    TarArchiveEntry e;
    while ((e = tar.getNextEntry()) != null) {
      String path = normalize(e.getName());
      String sha = null;
      String preview = null;
      if (e.isFile() && !e.isLink()) {
        byte[] head = tar.readNBytes(PREVIEW_BYTES);
        sha = sha256(head, tar);
        preview = preview(head, e.getSize());
      }
      Map<String, String> xattrs = new TreeMap<>();
      e.getExtraPaxHeaders().forEach((k, v) -> {
        if (k.startsWith("SCHILY.xattr.")) {
          xattrs.put(k.substring("SCHILY.xattr.".length()), v);
        }
      });
      String link = e.isSymbolicLink() ? e.getLinkName()
          : e.isLink() ? normalize(e.getLinkName()) : null;
      entries.put(path, new Entry(path, typeOf(e), e.getMode() & 07777, e.getLongUserId(),
          e.getLongGroupId(), e.isFile() && !e.isLink() ? e.getSize() : 0, link, sha,
          xattrs, e.getLastModifiedTime().toInstant().getEpochSecond(),
          e.isCharacterDevice() || e.isBlockDevice() ? e.getDevMajor() : 0,
          e.isCharacterDevice() || e.isBlockDevice() ? e.getDevMinor() : 0, preview));
    }
    return entries;
  }

  static String normalize(String name) {
    String p = name;
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() || p.equals(".") ? "/" : p;
  }

  private static char typeOf(TarArchiveEntry e) {
    if (e.isDirectory()) {
      return 'd';
    } else if (e.isSymbolicLink()) {
      return 'l';
    } else if (e.isLink()) {
      return 'h';
    } else if (e.isCharacterDevice()) {
      return 'c';
    } else if (e.isBlockDevice()) {
      return 'b';
    } else if (e.isFIFO()) {
      return 'p';
    }
    return '-';
  }

  private static String sha256(byte[] head, InputStream in) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(head);
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
