package dev.jbuild.layerstore.tar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a regular file's data for {@link ExtractionRun}: plain entries through one large reused
 * buffer, sparse entries segment by segment with their holes kept. The file is always new ({@code
 * CREATE_NEW}, never following a symlink). Not thread-safe; one instance per extraction.
 */
final class FileContents {
  private final byte[] copyBuffer = new byte[128 * 1024];

  /**
   * Creates {@code target} with the content of {@code entry}.
   *
   * @param raw the entry's name as in the tar, for messages
   * @throws IOException if the tar ends before the entry's data does, or writing fails
   */
  void write(TarEntry entry, String raw, Path target, TarReader reader) throws IOException {
    if (reader.sparseMap() != null) {
      writeSparse(entry, raw, target, reader);
      return;
    }
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      long copied = copy(reader.content(), out);
      if (copied != entry.size()) {
        throw new IOException("Tried to extract " + raw + " but failed because: the tar"
            + " is truncated");
      }
    }
  }

  /** Copies with a large buffer (transferTo's 8 KiB costs a syscall per 8 KiB). */
  private long copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = copyBuffer;
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      out.write(buf, 0, n);
      total += n;
    }
    return total;
  }

  /** Writes only the data segments and extends the file to its size: holes stay holes. */
  private void writeSparse(TarEntry entry, String raw, Path target, TarReader reader)
      throws IOException {
    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      InputStream data = reader.sparseData();
      byte[] buf = new byte[64 * 1024];
      for (TarReader.Segment segment : reader.sparseMap()) {
        long left = segment.length();
        long at = segment.offset();
        while (left > 0) {
          int n = data.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            throw new IOException("Tried to extract " + raw + " but failed because: the tar"
                + " is truncated");
          }
          ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
          while (bb.hasRemaining()) {
            at += ch.write(bb, at);
          }
          left -= n;
        }
      }
      if (ch.size() < entry.size()) {
        // Writing one byte at the end would allocate a block; ftruncate extends with a hole.
        try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw")) {
          file.setLength(entry.size());
        }
      }
    }
  }
}
