package dev.jbuild.layerstore.tar;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/** Detects layer compression by magic bytes, as Docker's {@code DecompressStream} does. */
public final class TarStreams {
  private TarStreams() {}

  /** The compressions jbuild recognizes. */
  public enum Compression {
    NONE, GZIP, BZIP2, ZSTD, XZ
  }

  /** Returns the compression of the stream's first bytes; {@code in} must support mark. */
  public static Compression detect(InputStream in) throws IOException {
    in.mark(8);
    byte[] magic = in.readNBytes(6);
    in.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return Compression.GZIP;
    }
    if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
      return Compression.BZIP2;
    }
    if (magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
        && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
      return Compression.ZSTD;
    }
    if (magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z'
        && magic[3] == 'X' && magic[4] == 'Z' && magic[5] == 0) {
      return Compression.XZ;
    }
    return Compression.NONE;
  }

  /**
   * Returns a stream of the uncompressed tar bytes of {@code in}: gzip, zstd, xz, bzip2 or plain,
   * detected by magic bytes like Docker's {@code DecompressStream}. Concatenated gzip members and
   * zstd frames are read as one stream.
   */
  public static InputStream decompress(InputStream in) throws IOException {
    InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, 64 * 1024);
    Compression c = detect(buffered);
    switch (c) {
      case GZIP:
        return new GZIPInputStream(buffered, 64 * 1024);
      case BZIP2:
        return new BZip2CompressorInputStream(buffered, true);
      case ZSTD:
        return new BufferedInputStream(new ZstdInputStream(buffered), 64 * 1024);
      case XZ:
        return new BufferedInputStream(new XZInputStream(buffered), 64 * 1024);
      default:
        return buffered;
    }
  }
}
