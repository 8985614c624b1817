package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.compress.LayerCompression;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How {@link LayerDiffer} writes a layer.
 *
 * <p><b>Reproducibility.</b> With a {@code sourceDateEpoch} (seconds, from {@code
 * SOURCE_DATE_EPOCH}) every entry's mtime is clamped to it ({@code min(mtime, epoch)}, BuildKit's
 * {@code rewrite-timestamp}); jbuild's tars never carry atime, ctime, user or group names, and
 * entries are sorted, so the same tree gives the same DiffID on any machine and at any time.
 * Compressed bytes do not depend on the number of threads either, so the blob digest is stable
 * too. The builder passes {@code LayerOptions.defaults().withSourceDateEpoch(epoch)} when the
 * build has {@code SOURCE_DATE_EPOCH}.
 *
 * @param compression how the blob is compressed (default: parallel gzip level 6)
 * @param sourceDateEpoch the clamp for mtimes, in seconds since the epoch; empty for none
 */
public record LayerOptions(LayerCompression compression, OptionalLong sourceDateEpoch) {
  /** Validates. */
  public LayerOptions {
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(sourceDateEpoch, "sourceDateEpoch");
    // A negative epoch (before 1970) is valid, as in BuildKit: TarWriter writes such mtimes as
    // PAX records with a zero ustar field, as Go's archive/tar does.
  }

  /** Parallel gzip, no timestamp clamping: what {@code LayerDiffer}'s short overloads use. */
  public static LayerOptions defaults() {
    return new LayerOptions(LayerCompression.gzip(), OptionalLong.empty());
  }

  /**
   * Defaults plus {@code SOURCE_DATE_EPOCH} from {@code env} when it is set.
   *
   * @throws IllegalArgumentException if it is set but not an integer
   */
  public static LayerOptions fromEnvironment(Map<String, String> env) {
    String value = env.get("SOURCE_DATE_EPOCH");
    if (value == null || value.isEmpty()) {
      return defaults();
    }
    try {
      return defaults().withSourceDateEpoch(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid SOURCE_DATE_EPOCH '" + value
          + "': expected seconds since 1970 (negative before)");
    }
  }

  /** Returns a copy that clamps mtimes to {@code epochSeconds}. */
  public LayerOptions withSourceDateEpoch(long epochSeconds) {
    return new LayerOptions(compression, OptionalLong.of(epochSeconds));
  }

  /** Returns a copy with another compression. */
  public LayerOptions withCompression(LayerCompression newCompression) {
    return new LayerOptions(newCompression, sourceDateEpoch);
  }

  /** The mtime to write for an entry whose file has {@code mtime}. */
  long clamp(long mtime) {
    return sourceDateEpoch.isPresent() ? Math.min(mtime, sourceDateEpoch.getAsLong()) : mtime;
  }
}
