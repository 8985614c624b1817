package dev.jbuild.layerstore.tar;

import static dev.jbuild.layerstore.tar.TarHeaders.number;
import static dev.jbuild.layerstore.tar.TarHeaders.parseLong;

import dev.jbuild.layerstore.tar.TarReader.Segment;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * GNU sparse files: the maps of old GNU headers ({@code S}) and PAX sparse 0.1/1.0, their checks,
 * and the expanded view of the data (zeros in the holes) that {@link TarReader#content()} gives.
 */
final class SparseFiles {
  static final int MAX_SPARSE_SEGMENTS = 1 << 20;

  private SparseFiles() {}

  static void addOldGnuSegments(byte[] b, int offset, int count, List<Segment> map)
      throws IOException {
    for (int i = 0; i < count; i++) {
      int at = offset + i * 24;
      if (b[at] == 0 && b[at + 12] == 0) {
        return;
      }
      map.add(new Segment(number(b, at, 12), number(b, at + 12, 12)));
    }
  }

  static List<Segment> parseSparseText(String[] values, String name) throws IOException {
    if (values.length == 1 && values[0].isEmpty()) {
      return List.of(); // all hole
    }
    if (values.length % 2 != 0 || values.length / 2 > MAX_SPARSE_SEGMENTS) {
      throw new IOException("Tried to read the sparse map of " + name + " but failed because:"
          + " it is malformed");
    }
    List<Segment> map = new ArrayList<>();
    for (int i = 0; i + 1 < values.length; i += 2) {
      map.add(new Segment(parseLong("sparse offset", values[i]),
          parseLong("sparse length", values[i + 1])));
    }
    return map;
  }

  static void checkSparseMap(List<Segment> map, long realSize, long packed, String name)
      throws IOException {
    long end = 0;
    long total = 0;
    for (Segment s : map) {
      if (s.offset() < end || s.length() < 0 || s.offset() + s.length() > realSize
          || s.offset() + s.length() < s.offset()) {
        throw new IOException("Tried to read sparse tar entry " + name + " but failed because:"
            + " its segments overlap, are out of order or exceed its size");
      }
      end = s.offset() + s.length();
      total += s.length();
    }
    if (total != packed) {
      throw new IOException("Tried to read sparse tar entry " + name + " but failed because:"
          + " its map covers " + total + " bytes but it holds " + packed);
    }
  }

  /** The expanded view of a sparse file: zeros in holes, packed data in segments. */
  static final class SparseStream extends InputStream {
    private final InputStream raw;
    private final List<Segment> map;
    private final long size;
    private long position;
    private int index;

    SparseStream(InputStream raw, List<Segment> map, long size) {
      this.raw = raw;
      this.map = map;
      this.size = size;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (position >= size) {
        return -1;
      }
      while (index < map.size() && position >= map.get(index).offset() + map.get(index).length()) {
        index++;
      }
      long limit = size;
      if (index < map.size()) {
        Segment s = map.get(index);
        if (position >= s.offset()) {
          int n = raw.read(b, off, (int) Math.min(len, s.offset() + s.length() - position));
          if (n < 0) {
            throw new EOFException("Tried to read a sparse tar entry but failed because: the"
                + " archive is truncated");
          }
          position += n;
          return n;
        }
        limit = s.offset();
      }
      int n = (int) Math.min(len, limit - position);
      java.util.Arrays.fill(b, off, off + n, (byte) 0);
      position += n;
      return n;
    }
  }
}
