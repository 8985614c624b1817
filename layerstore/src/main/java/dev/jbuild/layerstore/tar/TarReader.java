package dev.jbuild.layerstore.tar;

import static dev.jbuild.layerstore.tar.SparseFiles.addOldGnuSegments;
import static dev.jbuild.layerstore.tar.SparseFiles.checkSparseMap;
import static dev.jbuild.layerstore.tar.SparseFiles.parseSparseText;
import static dev.jbuild.layerstore.tar.TarHeaders.headerName;
import static dev.jbuild.layerstore.tar.TarHeaders.isZero;
import static dev.jbuild.layerstore.tar.TarHeaders.number;
import static dev.jbuild.layerstore.tar.TarHeaders.pad;
import static dev.jbuild.layerstore.tar.TarHeaders.parseLong;
import static dev.jbuild.layerstore.tar.TarHeaders.parsePax;
import static dev.jbuild.layerstore.tar.TarHeaders.string;
import static dev.jbuild.layerstore.tar.TarHeaders.trimNul;
import static dev.jbuild.layerstore.tar.TarHeaders.typeOf;
import static dev.jbuild.layerstore.tar.TarHeaders.utf8;
import static dev.jbuild.layerstore.tar.TarHeaders.utf8OrNull;
import static dev.jbuild.layerstore.tar.TarHeaders.verifyChecksum;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads ustar, PAX and GNU tars (long names {@code L}/{@code K}, base-256 numbers) as found in
 * image layers, keeping PAX extended attribute values ({@code SCHILY.xattr.*}) as raw bytes.
 * Sparse files (old GNU type {@code S}, PAX GNU sparse 0.1 and 1.0) are read as regular files of
 * their real size: {@link #content()} yields the expanded bytes (zeros in the holes) and {@link
 * #sparseMap()} the data segments, so an extractor can leave the holes unallocated. The
 * pre-2005 PAX sparse 0.0 format and multi-volume archives are rejected rather than misread.
 *
 * <p>Usage: call {@link #next()} until it returns null; between calls, {@link #content()} streams
 * the current regular file (unread content is skipped by the next call). Not thread-safe; does not
 * read past the end-of-archive marker, so callers that digest the stream must drain it themselves.
 */
public final class TarReader implements Closeable {
  private static final int BLOCK = TarHeaders.BLOCK;
  private static final int MAX_SPARSE_SEGMENTS = SparseFiles.MAX_SPARSE_SEGMENTS;

  private final InputStream in;
  private final Map<String, byte[]> globalPax = new HashMap<>();
  private long remaining;
  private long padding;
  private final InputStream raw = new EntryStream();
  private List<Segment> sparse;
  private InputStream content = raw;

  /**
   * One stretch of data in a sparse file; everything between segments is a hole of zeros.
   *
   * @param offset where the data starts in the file
   * @param length how many bytes of data
   */
  public record Segment(long offset, long length) {}

  /** Reads from {@code in} (uncompressed tar bytes). */
  public TarReader(InputStream in) {
    this.in = in;
  }

  /**
   * Advances to the next entry.
   *
   * @return the entry, or null at the end of the archive
   * @throws IOException on a malformed or unsupported archive
   */
  public TarEntry next() throws IOException {
    skipRest();
    sparse = null;
    content = raw;
    Map<String, byte[]> pax = new HashMap<>(globalPax);
    byte[] longName = null;
    byte[] longLink = null;
    while (true) {
      byte[] h = new byte[BLOCK];
      if (!readBlock(h)) {
        return null; // EOF without the marker: tolerated, as GNU tar and Go do
      }
      if (isZero(h)) {
        return null;
      }
      verifyChecksum(h);
      char type = (char) h[156];
      long size = number(h, 124, 12);
      if (type == 'x' || type == 'g') {
        Map<String, byte[]> records = parsePax(readData(size));
        (type == 'g' ? globalPax : pax).putAll(records);
        if (type == 'g') {
          pax.putAll(records);
        }
        continue;
      }
      if (type == 'L') {
        longName = trimNul(readData(size));
        continue;
      }
      if (type == 'K') {
        longLink = trimNul(readData(size));
        continue;
      }
      TarEntry.Type t = type == 'S' ? TarEntry.Type.FILE : typeOf(type, h);
      String name = longName != null ? utf8(longName) : headerName(h);
      String link = longLink != null ? utf8(longLink) : string(h, 157, 100);
      long uid = number(h, 108, 8);
      long gid = number(h, 116, 8);
      long mtime = number(h, 136, 12);
      Map<String, byte[]> xattrs = new TreeMap<>();
      for (Map.Entry<String, byte[]> e : pax.entrySet()) {
        String key = e.getKey();
        String value = utf8(e.getValue());
        switch (key) {
          case "path":
            name = value;
            break;
          case "linkpath":
            link = value;
            break;
          case "size":
            size = parseLong(key, value);
            break;
          case "uid":
            uid = parseLong(key, value);
            break;
          case "gid":
            gid = parseLong(key, value);
            break;
          case "mtime":
            mtime = (long) Math.floor(Double.parseDouble(value));
            break;
          default:
            if (key.startsWith("SCHILY.xattr.")) {
              xattrs.put(key.substring("SCHILY.xattr.".length()), e.getValue());
            }
        }
      }
      int mode = (int) (number(h, 100, 8) & 07777);
      int devMajor = 0;
      int devMinor = 0;
      if (t == TarEntry.Type.CHAR_DEVICE || t == TarEntry.Type.BLOCK_DEVICE) {
        devMajor = (int) number(h, 329, 8);
        devMinor = (int) number(h, 337, 8);
      }
      long dataSize = size;
      List<Segment> map = null;
      long realSize = size;
      if (type == 'S') {
        map = oldGnuSparseMap(h);
        realSize = number(h, 483, 12);
      } else if (pax.containsKey("GNU.sparse.major") || pax.containsKey("GNU.sparse.map")
          || pax.containsKey("GNU.sparse.offset")) {
        if (pax.containsKey("GNU.sparse.name")) {
          name = utf8(pax.get("GNU.sparse.name"));
        }
        byte[] real = pax.containsKey("GNU.sparse.realsize") ? pax.get("GNU.sparse.realsize")
            : pax.get("GNU.sparse.size");
        if (real == null) {
          throw new IOException("Tried to read sparse tar entry " + name + " but failed because:"
              + " it has no real size");
        }
        realSize = parseLong("GNU.sparse.realsize", utf8(real));
        if (pax.containsKey("GNU.sparse.map")) {
          map = parseSparseText(utf8(pax.get("GNU.sparse.map")).split(","), name);
        } else if ("1".equals(utf8OrNull(pax.get("GNU.sparse.major")))) {
          // PAX sparse 1.0: the map is text at the start of the data, padded to a block.
          remaining = size;
          padding = pad(size);
          map = readSparse10Map(name);
          dataSize = remaining;
          size = remaining;
        } else {
          throw new IOException("Tried to read tar entry " + name + " but failed because: the"
              + " GNU sparse 0.0 format is not supported; re-create the tar with GNU tar"
              + " --sparse --format=posix or without --sparse");
        }
      }
      if (map != null) {
        checkSparseMap(map, realSize, size, name);
        if (t != TarEntry.Type.FILE) {
          throw new IOException("Tried to read tar entry " + name + " but failed because: only"
              + " regular files can be sparse");
        }
        remaining = size;
        padding = pad(dataSize);
        sparse = List.copyOf(map);
        content = new SparseFiles.SparseStream(raw, sparse, realSize);
        return new TarEntry(name, t, mode, uid, gid, realSize, mtime, link, devMajor, devMinor,
            xattrs);
      }
      if (t != TarEntry.Type.FILE) {
        // Only regular files carry data here; skip any (non-standard) payload of the others.
        remaining = 0;
        padding = 0;
        skipFully(dataSize + pad(dataSize));
        size = 0;
      } else {
        remaining = size;
        padding = pad(size);
      }
      return new TarEntry(name, t, mode, uid, gid, size, mtime, link, devMajor, devMinor, xattrs);
    }
  }

  /**
   * The current regular file's content (expanded if it is sparse); reads return -1 at its end.
   * Do not close it.
   */
  public InputStream content() {
    return content;
  }

  /**
   * The data segments of the current entry if it is a sparse file, or null. Then {@link
   * #sparseData()} streams the segments' bytes back to back.
   */
  public List<Segment> sparseMap() {
    return sparse;
  }

  /** The packed data of the current sparse entry (the segments in order, no holes). */
  public InputStream sparseData() {
    return raw;
  }

  private List<Segment> oldGnuSparseMap(byte[] h) throws IOException {
    List<Segment> map = new ArrayList<>();
    addOldGnuSegments(h, 386, 4, map);
    boolean extended = h[482] != 0;
    while (extended) {
      byte[] ext = new byte[BLOCK];
      if (!readBlock(ext)) {
        throw new EOFException("Tried to read a sparse tar header but failed because: the"
            + " archive is truncated");
      }
      addOldGnuSegments(ext, 0, 21, map);
      extended = ext[504] != 0;
      if (map.size() > MAX_SPARSE_SEGMENTS) {
        throw new IOException("Tried to read a sparse tar entry but failed because: it has"
            + " more than " + MAX_SPARSE_SEGMENTS + " segments");
      }
    }
    return map;
  }

  private List<Segment> readSparse10Map(String name) throws IOException {
    // Lines of decimal numbers: the count, then offset and length per segment.
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    List<String> numbers = new ArrayList<>();
    long expected = -1;
    while (expected < 0 || numbers.size() < 1 + 2 * expected) {
      int b = raw.read();
      if (b < 0) {
        throw new EOFException("Tried to read the sparse map of " + name + " but failed"
            + " because: the archive is truncated");
      }
      if (b != '\n') {
        if (text.size() > 32) {
          throw new IOException("Tried to read the sparse map of " + name + " but failed"
              + " because: it is malformed");
        }
        text.write(b);
        continue;
      }
      numbers.add(text.toString(StandardCharsets.US_ASCII));
      text.reset();
      if (numbers.size() == 1) {
        expected = parseLong("GNU sparse map count", numbers.get(0));
        if (expected < 0 || expected > MAX_SPARSE_SEGMENTS) {
          throw new IOException("Tried to read the sparse map of " + name + " but failed"
              + " because: it claims " + expected + " segments");
        }
      }
    }
    long consumed = 0;
    for (String n : numbers) {
      consumed += n.length() + 1;
    }
    long skip = pad(consumed);
    while (skip-- > 0) {
      if (raw.read() < 0) {
        throw new EOFException("Tried to read the sparse map of " + name + " but failed"
            + " because: the archive is truncated");
      }
    }
    return parseSparseText(numbers.subList(1, numbers.size()).toArray(new String[0]), name);
  }

  /** Closes the underlying stream. */
  @Override
  public void close() throws IOException {
    in.close();
  }

  private boolean readBlock(byte[] block) throws IOException {
    int off = 0;
    while (off < block.length) {
      int n = in.read(block, off, block.length - off);
      if (n < 0) {
        if (off == 0) {
          return false;
        }
        throw new EOFException("Tried to read a tar header but failed because: the archive is"
            + " truncated");
      }
      off += n;
    }
    return true;
  }

  private byte[] readData(long size) throws IOException {
    if (size > 16 * 1024 * 1024) {
      throw new IOException("Tried to read a tar metadata entry but failed because: it is "
          + size + " bytes");
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length != size) {
      throw new EOFException("Tried to read a tar metadata entry but failed because: the archive"
          + " is truncated");
    }
    skipFully(pad(size));
    return data;
  }

  private void skipRest() throws IOException {
    skipFully(remaining + padding);
    remaining = 0;
    padding = 0;
  }

  private void skipFully(long n) throws IOException {
    byte[] buf = new byte[8192];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new EOFException("Tried to read a tar entry but failed because: the archive is"
            + " truncated");
      }
      left -= r;
    }
  }

  private final class EntryStream extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new EOFException("Tried to read a tar entry but failed because: the archive is"
            + " truncated");
      }
      remaining -= n;
      return n;
    }
  }
}
