package dev.jbuild.layerstore.compress;

import com.github.luben.zstd.ZstdOutputStream;
import dev.jbuild.layerstore.oci.MediaTypes;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Objects;

/**
 * How a layer blob is compressed: gzip (parallel, {@link ParallelGzipOutputStream}), zstd
 * (zstd-jni, multi-threaded) or none, with a level and a thread count. The compressed bytes do not
 * depend on the thread count, so builds stay reproducible on any machine.
 *
 * @param algorithm the compression
 * @param level gzip 0..9 (default 6), zstd 1..22 (default 3); ignored for {@code NONE}
 * @param threads how many cores may compress at once (at least 1)
 */
public record LayerCompression(Algorithm algorithm, int level, int threads) {
  /** The layer compressions jbuild writes. */
  public enum Algorithm {
    GZIP, ZSTD, NONE
  }

  /** Validates. */
  public LayerCompression {
    Objects.requireNonNull(algorithm, "algorithm");
    if (algorithm == Algorithm.GZIP && (level < 0 || level > 9)) {
      throw new IllegalArgumentException("gzip level must be 0..9, not " + level);
    }
    if (algorithm == Algorithm.ZSTD && (level < 1 || level > 22)) {
      throw new IllegalArgumentException("zstd level must be 1..22, not " + level);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, not " + threads);
    }
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** gzip level 6 on every core: the default, what every registry and runtime reads. */
  public static LayerCompression gzip() {
    return gzip(6);
  }

  /** gzip at {@code level} (0..9) on every core. */
  public static LayerCompression gzip(int level) {
    return new LayerCompression(Algorithm.GZIP, level, cores());
  }

  /** zstd at {@code level} (1..22) on every core. */
  public static LayerCompression zstd(int level) {
    return new LayerCompression(Algorithm.ZSTD, level, cores());
  }

  /** Uncompressed tar layers. */
  public static LayerCompression none() {
    return new LayerCompression(Algorithm.NONE, 0, 1);
  }

  /**
   * Parses {@code gzip}, {@code gzip:9}, {@code zstd}, {@code zstd:19}, {@code none} (or {@code
   * uncompressed}), like BuildKit's {@code compression=...,compression-level=...}.
   *
   * @throws IllegalArgumentException on anything else
   */
  public static LayerCompression parse(String text) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split(":", 2);
    try {
      switch (parts[0]) {
        case "gzip":
          return gzip(parts.length > 1 ? Integer.parseInt(parts[1]) : 6);
        case "zstd":
          return zstd(parts.length > 1 ? Integer.parseInt(parts[1]) : 3);
        case "none":
        case "uncompressed":
          return none();
        default:
          break;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException("invalid compression '" + text + "': expected gzip[:0-9],"
        + " zstd[:1-22] or none");
  }

  /** The text {@link #parse} reads back to this compression (threads aside): {@code gzip:6}. */
  public String spec() {
    return algorithm == Algorithm.NONE ? "none"
        : algorithm.name().toLowerCase(Locale.ROOT) + ":" + level;
  }

  /** Returns a copy limited to {@code n} threads. */
  public LayerCompression withThreads(int n) {
    return new LayerCompression(algorithm, level, n);
  }

  /**
   * The layer media type: Docker's gzip type for gzip (what {@code docker push} sends), OCI's
   * {@code +zstd} and plain tar types otherwise (Docker has none).
   */
  public String mediaType() {
    switch (algorithm) {
      case GZIP:
        return MediaTypes.DOCKER_LAYER_GZIP;
      case ZSTD:
        return MediaTypes.OCI_LAYER_ZSTD;
      default:
        return MediaTypes.OCI_LAYER_TAR;
    }
  }

  /**
   * Wraps {@code out} in a compressing stream. Closing the returned stream finishes the
   * compressed data but does not close {@code out}.
   */
  public OutputStream compress(OutputStream out) throws IOException {
    OutputStream shielded = new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
    switch (algorithm) {
      case GZIP:
        return new ParallelGzipOutputStream(shielded, level, threads);
      case ZSTD:
        ZstdOutputStream zstd = new ZstdOutputStream(shielded, level);
        // With workers >= 1 zstd's output does not depend on their number; 0 would differ.
        zstd.setWorkers(threads);
        zstd.setChecksum(true);
        return zstd;
      default:
        return shielded;
    }
  }

  @Override
  public String toString() {
    return algorithm == Algorithm.NONE ? "none"
        : algorithm.name().toLowerCase(Locale.ROOT) + ":" + level;
  }
}
