package dev.jbuild.layerstore.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.tar.TarStreams;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Tests for {@link ParallelGzipOutputStream}, {@link LayerCompression} and decompression. */
class LayerCompressionTest {
  @TempDir Path tmp;

  /** Compressible but not trivial: text-like runs mixed with random bytes. */
  static byte[] sample(int size, long seed) {
    Random random = new Random(seed);
    byte[] data = new byte[size];
    String[] words = {"layer ", "tar ", "overlay ", "whiteout ", "digest ", "\n", "sha256 "};
    int i = 0;
    while (i < size) {
      if (random.nextInt(10) == 0) {
        data[i++] = (byte) random.nextInt(256);
      } else {
        byte[] w = words[random.nextInt(words.length)].getBytes();
        for (int j = 0; j < w.length && i < size; j++) {
          data[i++] = w[j];
        }
      }
    }
    return data;
  }

  private static byte[] gzip(byte[] data, int level, int threads, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = new ParallelGzipOutputStream(out, level, threads)) {
      for (int off = 0; off < data.length; off += chunk) {
        gz.write(data, off, Math.min(chunk, data.length - off));
      }
    }
    return out.toByteArray();
  }

  @Test
  void parallelGzip_isReadByJavaAndGzip_andDoesNotDependOnThreadsOrWriteSizes() throws Exception {
    for (int size : new int[] {0, 1, 1000, ParallelGzipOutputStream.BLOCK_SIZE,
        ParallelGzipOutputStream.BLOCK_SIZE + 1, 3_000_000}) {
      byte[] data = sample(size, size);
      byte[] one = gzip(data, 6, 1, 8192);
      byte[] four = gzip(data, 6, 4, 100_000);
      byte[] eight = gzip(data, 6, 8, 1);
      assertArrayEquals(one, four, "output depends on the thread count (size " + size + ")");
      assertArrayEquals(one, eight, "output depends on the write sizes (size " + size + ")");
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(four))) {
        assertArrayEquals(data, in.readAllBytes());
      }
      // The system gzip is the reference reader: it checks the CRC and length trailer.
      Path file = tmp.resolve("f" + size + ".gz");
      Files.write(file, four);
      Process p = new ProcessBuilder("gzip", "-dc", file.toString()).start();
      byte[] decoded = p.getInputStream().readAllBytes();
      assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
      assertArrayEquals(data, decoded);
    }
  }

  @Test
  void parallelGzip_ratioIsCloseToSingleThreadedDeflate() throws IOException {
    byte[] data = sample(4_000_000, 1);
    ByteArrayOutputStream reference = new ByteArrayOutputStream();
    try (OutputStream gz = new java.util.zip.GZIPOutputStream(reference)) {
      gz.write(data);
    }
    int parallel = gzip(data, 6, 4, 65536).length;
    assertTrue(parallel < reference.size() * 1.02, "parallel " + parallel + " vs single "
        + reference.size());
  }

  @Test
  void zstd_roundTripsAndIsDeterministicAcrossWorkers() throws IOException {
    byte[] data = sample(5_000_000, 3);
    byte[][] outputs = new byte[2][];
    int[] threads = {1, 4};
    for (int i = 0; i < 2; i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (OutputStream z = new LayerCompression(LayerCompression.Algorithm.ZSTD, 3, threads[i])
          .compress(out)) {
        z.write(data);
      }
      outputs[i] = out.toByteArray();
    }
    assertArrayEquals(outputs[0], outputs[1]);
    try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(outputs[1]))) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }

  @Test
  void compress_doesNotCloseTheTarget() throws IOException {
    boolean[] closed = {false};
    ByteArrayOutputStream sink = new ByteArrayOutputStream() {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    for (LayerCompression c : new LayerCompression[] {LayerCompression.gzip(),
        LayerCompression.zstd(3), LayerCompression.none()}) {
      OutputStream out = c.compress(sink);
      out.write(1);
      out.close();
    }
    assertTrue(!closed[0]);
  }

  @Test
  void parse_andMediaTypes() {
    assertEquals(LayerCompression.gzip(9).level(), LayerCompression.parse("gzip:9").level());
    assertEquals(LayerCompression.Algorithm.ZSTD, LayerCompression.parse("ZSTD").algorithm());
    assertEquals(19, LayerCompression.parse("zstd:19").level());
    assertEquals(LayerCompression.Algorithm.NONE, LayerCompression.parse("none").algorithm());
    assertEquals(MediaTypes.DOCKER_LAYER_GZIP, LayerCompression.gzip().mediaType());
    assertEquals(MediaTypes.OCI_LAYER_ZSTD, LayerCompression.zstd(3).mediaType());
    assertEquals(MediaTypes.OCI_LAYER_TAR, LayerCompression.none().mediaType());
    assertThrows(IllegalArgumentException.class, () -> LayerCompression.parse("gzip:12"));
    assertThrows(IllegalArgumentException.class, () -> LayerCompression.parse("lz4"));
  }

  @Test
  void decompress_detectsEveryFormat() throws IOException {
    byte[] data = sample(300_000, 9);
    ByteArrayOutputStream xz = new ByteArrayOutputStream();
    try (XZOutputStream out = new XZOutputStream(xz, new LZMA2Options())) {
      out.write(data);
    }
    ByteArrayOutputStream zstd = new ByteArrayOutputStream();
    try (OutputStream out = LayerCompression.zstd(3).compress(zstd)) {
      out.write(data);
    }
    ByteArrayOutputStream bz = new ByteArrayOutputStream();
    try (OutputStream out = new org.apache.commons.compress.compressors.bzip2
        .BZip2CompressorOutputStream(bz)) {
      out.write(data);
    }
    for (byte[] compressed : new byte[][] {gzip(data, 6, 2, 4096), xz.toByteArray(),
        zstd.toByteArray(), bz.toByteArray(), data}) {
      assertArrayEquals(data,
          TarStreams.decompress(new ByteArrayInputStream(compressed)).readAllBytes());
    }
  }
}
