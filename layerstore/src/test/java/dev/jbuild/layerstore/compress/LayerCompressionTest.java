package dev.jbuild.layerstore.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  private void assertGunzips(byte[] data, byte[] gz, String name) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      assertArrayEquals(data, in.readAllBytes(), name + ": java.util.zip");
    }
    Path file = tmp.resolve(name + ".gz");
    Files.write(file, gz);
    Process p = new ProcessBuilder("gzip", "-dc", file.toString()).start();
    byte[] decoded = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
    assertArrayEquals(data, decoded, name + ": gzip -dc");
  }

  private static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  @Test
  void parallelGzip_storesIncompressibleBlocksWithoutDeflating() throws Exception {
    int block = ParallelGzipOutputStream.BLOCK_SIZE;
    byte[] data = random(3 * block + 20_000, 11);
    byte[] gz = gzip(data, 6, 4, 50_000);
    assertArrayEquals(gz, gzip(data, 6, 1, 8192), "output depends on the thread count");
    // Exactly: header, per 128 KiB block 3 stored blocks (65535 + 65535 + 2 bytes) of 5 header
    // bytes each, the last block as one stored block with BFINAL, trailer. zlib's own choice of
    // stored blocks for such input has other boundaries.
    assertEquals(10 + 3 * (block + 15) + 20_005 + 8, gz.length);
    assertGunzips(data, gz, "random");
  }

  @Test
  void parallelGzip_mixedBlocksRoundTrip_andBackReferencesIntoStoredBlocksWork() throws Exception {
    int block = ParallelGzipOutputStream.BLOCK_SIZE;
    byte[] noise = random(block, 5);
    byte[] text = sample(block + 1000, 6);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(noise);
    // The next block starts with the end of the stored one: deflate refers back into it through
    // the preset dictionary.
    all.write(noise, block - 20_000, 20_000);
    all.write(text);
    all.write(random(ParallelGzipOutputStream.MIN_STORED, 9)); // a stored final block
    byte[] data = all.toByteArray();
    for (int threads : new int[] {1, 3}) {
      byte[] gz = gzip(data, 6, threads, 70_001);
      assertGunzips(data, gz, "mixed" + threads);
      assertTrue(gz.length < data.length - block / 2, "compressible blocks were compressed");
    }
    // Level 0 is deflate's own stored mode, untouched by the shortcut.
    assertGunzips(data, gzip(data, 0, 2, 4096), "level0");
  }

  @Test
  void incompressible_onlyForNearlyUniformBytes() {
    int n = ParallelGzipOutputStream.BLOCK_SIZE;
    assertTrue(ParallelGzipOutputStream.incompressible(random(n, 1), n));
    assertTrue(ParallelGzipOutputStream.incompressible(
        random(ParallelGzipOutputStream.MIN_STORED, 2), ParallelGzipOutputStream.MIN_STORED));
    assertFalse(ParallelGzipOutputStream.incompressible(new byte[n], n), "zeros");
    assertFalse(ParallelGzipOutputStream.incompressible(sample(n, 3), n), "text");
    byte[] base64 = java.util.Base64.getEncoder().encode(random(n, 4));
    assertFalse(ParallelGzipOutputStream.incompressible(base64, n), "base64: 6 bits a byte");
    byte[] halfZero = random(n, 5);
    java.util.Arrays.fill(halfZero, n / 2, n, (byte) 0);
    assertFalse(ParallelGzipOutputStream.incompressible(halfZero, n), "half zeros");
    byte[] tarLike = random(n, 6);
    for (int off = 0; off < n; off += 10 * 512) {
      java.util.Arrays.fill(tarLike, off, off + 512, (byte) 0); // headers and padding
    }
    assertFalse(ParallelGzipOutputStream.incompressible(tarLike, n), "10% zeros");
  }

  @Test
  void parallelGzip_compressibleDataKeepsTheBytesItHadBeforeStoredBlocks() throws Exception {
    // Pinned from the stream before incompressible blocks were stored: layers of ordinary files
    // keep their blob digests.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] data = sample(3_000_000, 7);
    try (OutputStream gz = new ParallelGzipOutputStream(out, 6, 2)) {
      gz.write(data);
      gz.write(new byte[700_000]);
      gz.write(data, 0, 123_457);
    }
    assertEquals(462_184, out.size());
    assertEquals("49e6349d62a879cca1c266836e3faf4852870e0543ec688ec41d9a98db7bbefa",
        java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(out.toByteArray())));
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
