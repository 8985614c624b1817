package dev.jbuild.layerstore.compress;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip stream compressed on several cores, the way pigz does it: the input is cut into 128 KiB
 * blocks, each block is deflated on its own (primed with the previous block's last 32 KiB as a
 * preset dictionary, so the ratio stays close to single-threaded gzip) and ended with a sync
 * flush, and the raw deflate pieces are concatenated into one ordinary gzip member. Any gzip
 * reader accepts the result (it is a single valid deflate stream with a normal header and CRC32
 * trailer).
 *
 * <p>A block whose bytes are close to uniformly distributed (already compressed or random data:
 * order-2 Rényi entropy of at least 7.95 bits per byte, see {@link #incompressible}) is written as
 * deflate stored blocks instead, without running the compressor: deflate would gain under 1% on
 * it (only back-references could, and such data has few) at the compressor's slowest speed, about
 * a tenth of its speed on text. zstd detects incompressible input the same way. Blocks below that
 * entropy are deflated exactly as before, so layers of ordinary files keep their bytes.
 *
 * <p>The output depends only on the input and the level, never on the number of threads or on
 * timing, so layers stay reproducible across machines. The header has no name and mtime 0 and
 * OS 255 (unknown), like Go's gzip writer. Memory use is bounded: at most {@code 2 × threads}
 * blocks are in flight. Not thread-safe (one writer), but any number of streams may run at once;
 * they share one daemon thread pool sized to the machine's cores.
 */
public final class ParallelGzipOutputStream extends OutputStream {
  /** Input bytes per independently compressed block (pigz's default). */
  public static final int BLOCK_SIZE = 128 * 1024;

  private static final int DICTIONARY = 32 * 1024;
  /** Blocks shorter than this are always deflated: too few bytes to tell their entropy. */
  static final int MIN_STORED = 16 * 1024;
  /** Largest payload of one deflate stored block (RFC 1951 §3.2.4: LEN is 16 bits). */
  private static final int MAX_STORED = 65_535;
  private static final ExecutorService POOL = Executors.newFixedThreadPool(
      Math.max(1, Runtime.getRuntime().availableProcessors()), runnable -> {
        Thread t = new Thread(runnable, "jbuild-gzip");
        t.setDaemon(true);
        return t;
      });
  private static final ThreadLocal<Deflater[]> DEFLATERS =
      ThreadLocal.withInitial(() -> new Deflater[10]);
  private static final ThreadLocal<byte[][]> OUTPUT_BUFFERS =
      ThreadLocal.withInitial(() -> new byte[1][]);

  private final OutputStream out;
  private final int level;
  private final int threads;
  private final Deque<Future<byte[]>> pending = new ArrayDeque<>();
  private final CRC32 crc = new CRC32();
  /** Input blocks whose compression finished, reused to spare the garbage collector. */
  private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> freeBlocks =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private byte[] block = new byte[BLOCK_SIZE];
  private int fill;
  private byte[] dictionary;
  private long total;
  private boolean headerWritten;
  private boolean finished;
  private boolean closed;

  /** A stream at {@link Deflater#DEFAULT_COMPRESSION} (6) using every core. */
  public ParallelGzipOutputStream(OutputStream out) {
    this(out, 6, Runtime.getRuntime().availableProcessors());
  }

  /**
   * @param out where the gzip bytes go (closed by {@link #close})
   * @param level deflate level 0 (store) to 9 (best)
   * @param threads how many blocks may be compressed at once; 1 compresses on the caller's thread
   *     (same output bytes)
   */
  public ParallelGzipOutputStream(OutputStream out, int level, int threads) {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("gzip level must be 0..9, not " + level);
    }
    this.out = out;
    this.level = level;
    this.threads = Math.max(1, threads);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (finished) {
      throw new IOException("Tried to write to a gzip stream but failed because: it is finished");
    }
    crc.update(b, off, len);
    total += len;
    while (len > 0) {
      int n = Math.min(len, BLOCK_SIZE - fill);
      System.arraycopy(b, off, block, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == BLOCK_SIZE) {
        submit(false);
      }
    }
  }

  /** Compressed bytes are written block by block; flush pushes out what is finished. */
  @Override
  public void flush() throws IOException {
    drain(0, false);
    out.flush();
  }

  /** Writes the rest and the gzip trailer without closing the delegate. */
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    submit(true);
    drain(0, true);
    byte[] trailer = new byte[8];
    int value = (int) crc.getValue();
    int size = (int) total; // ISIZE is the length modulo 2^32
    for (int i = 0; i < 4; i++) {
      trailer[i] = (byte) (value >>> (8 * i));
      trailer[4 + i] = (byte) (size >>> (8 * i));
    }
    out.write(trailer);
    out.flush();
    finished = true;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      finish();
    } finally {
      for (Future<byte[]> f : pending) {
        f.cancel(true);
      }
      pending.clear();
      out.close();
    }
  }

  private void submit(boolean last) throws IOException {
    if (!headerWritten) {
      out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
      headerWritten = true;
    }
    byte[] input = block;
    int length = fill;
    byte[] dict = dictionary;
    if (!last) {
      dictionary = Arrays.copyOfRange(input, length - DICTIONARY, length);
      byte[] free = freeBlocks.poll();
      block = free != null ? free : new byte[BLOCK_SIZE];
      fill = 0;
    }
    if (threads == 1) {
      out.write(compress(input, length, dict, last, level));
      freeBlocks.add(input);
      return;
    }
    pending.add(POOL.submit(() -> {
      byte[] compressed = compress(input, length, dict, last, level);
      freeBlocks.add(input);
      return compressed;
    }));
    drain(2 * threads - 1, true);
  }

  /** Writes finished blocks in order, waiting (when {@code wait}) until at most {@code keep} remain. */
  private void drain(int keep, boolean wait) throws IOException {
    while (!pending.isEmpty() && (pending.size() > keep || pending.peek().isDone())) {
      Future<byte[]> next = pending.peek();
      if (!wait && !next.isDone()) {
        return;
      }
      try {
        out.write(next.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while compressing");
      } catch (ExecutionException e) {
        throw new IOException("Tried to gzip a block but failed because: " + e.getCause(),
            e.getCause());
      }
      pending.poll();
    }
  }

  /** Deflates one block as raw deflate data that ends on a byte boundary (or the final block). */
  static byte[] compress(byte[] input, int length, byte[] dict, boolean last, int level) {
    if (level > 0 && length >= MIN_STORED && incompressible(input, length)) {
      return stored(input, length, last);
    }
    Deflater[] cache = DEFLATERS.get();
    Deflater deflater = cache[level];
    if (deflater == null) {
      deflater = new Deflater(level, true);
      cache[level] = deflater;
    }
    deflater.reset();
    if (dict != null) {
      deflater.setDictionary(dict);
    }
    deflater.setInput(input, 0, length);
    byte[][] cached = OUTPUT_BUFFERS.get();
    if (cached[0] == null || cached[0].length < length + length / 8 + 1024) {
      cached[0] = new byte[length + length / 8 + 1024];
    }
    byte[] buf = cached[0];
    int size = 0;
    if (last) {
      deflater.finish();
      while (!deflater.finished()) {
        if (size == buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2);
          cached[0] = buf;
        }
        size += deflater.deflate(buf, size, buf.length - size);
      }
    } else {
      while (true) {
        if (size == buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2);
          cached[0] = buf;
        }
        int n = deflater.deflate(buf, size, buf.length - size, Deflater.SYNC_FLUSH);
        size += n;
        if (size < buf.length) {
          break; // room left over means the flush completed
        }
      }
    }
    return Arrays.copyOf(buf, size);
  }

  /**
   * Whether the first {@code length} bytes are nearly uniformly distributed: their order-2 Rényi
   * entropy {@code -log2(sum p_i^2)} is at least 7.95 bits per byte. That entropy is a lower bound
   * of the Shannon entropy, so Huffman coding alone could save at most 0.6% of such a block.
   * Integer arithmetic only, so the decision (and so the output) is the same on every JVM.
   */
  static boolean incompressible(byte[] input, int length) {
    int[] counts = new int[256];
    for (int i = 0; i < length; i++) {
      counts[input[i] & 0xff]++;
    }
    long squares = 0;
    for (int c : counts) {
      squares += (long) c * c;
    }
    // sum (c/n)^2 <= 2^-7.95 = 0.004044, scaled by 10^6 * n^2 (at most 10^6 * 2^34: no overflow)
    return squares * 1_000_000L <= 4_044L * length * length;
  }

  /**
   * The block as deflate stored blocks (RFC 1951 §3.2.4). The stream is on a byte boundary here,
   * since every piece before ends with a sync flush or a stored block, and so it is after.
   */
  static byte[] stored(byte[] input, int length, boolean last) {
    int pieces = (length + MAX_STORED - 1) / MAX_STORED;
    byte[] out = new byte[length + 5 * pieces];
    int at = 0;
    for (int off = 0; off < length; off += MAX_STORED) {
      int n = Math.min(MAX_STORED, length - off);
      out[at++] = (byte) (last && off + n == length ? 1 : 0); // BFINAL, BTYPE 00, then padding
      out[at++] = (byte) n;
      out[at++] = (byte) (n >>> 8);
      out[at++] = (byte) ~n;
      out[at++] = (byte) (~n >>> 8);
      System.arraycopy(input, off, out, at, n);
      at += n;
    }
    return out;
  }
}
