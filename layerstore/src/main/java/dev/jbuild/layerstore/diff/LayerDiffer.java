package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.content.BlobWriter;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.fs.TreeSummary;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.tar.SafeTarExtractor;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarStreams;
import dev.jbuild.layerstore.tar.UnsafeTarEntryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns file trees into layers: an overlayfs upperdir into an OCI changeset ({@link #diff}), a
 * plain root filesystem directory ({@link #fromDirectory}) or an existing tar ({@link #fromTar})
 * into a full layer. The tar is streamed through the compressor (parallel gzip by default, or
 * zstd; see {@link LayerOptions}) into a {@link BlobWriter}, computing the DiffID (uncompressed)
 * and the blob digest in one pass; nothing is buffered in memory. Each new layer's {@link
 * LayerInfo} (uncompressed and content sizes) is recorded in the content store.
 *
 * <p>Upperdir conversion (moby {@code overlayWhiteoutConverter.ConvertWrite}, BuildKit {@code
 * overlay.Changes}): only the upperdir is walked, so the cost is proportional to the change. Entries
 * are sorted by name, directories first within their subtree; a char device 0/0 (or a 0-byte file
 * with {@code overlay.whiteout}) becomes an empty file {@code .wh.<name>} (mode 0600, mtime 0),
 * left out if no lower layer has {@code <name>}; a directory with {@code overlay.opaque=y} is
 * followed immediately by {@code <dir>/.wh..wh..opq} if the directory exists below; every {@code
 * *.overlay.*} xattr is stripped and other xattrs ({@code security.capability}…) are kept as PAX
 * {@code SCHILY.xattr.*}; hardlinked files (same device and inode) become tar hardlinks to the
 * first path. Upperdirs from mounts with {@code redirect_dir} or {@code metacopy} are refused,
 * because their content is not self-contained.
 *
 * <p>Stateless and thread-safe.
 */
public final class LayerDiffer {
  /** The media type of layers jbuild writes. */
  public static final String LAYER_MEDIA_TYPE = MediaTypes.DOCKER_LAYER_GZIP;


  private LayerDiffer() {}

  /**
   * Starts loading the native access a diff needs (xattrs through jnr-ffi) in the background, so
   * that a step's diff does not wait for it; call when a step is about to write a layer. Returns
   * at once; idempotent.
   */
  public static void preloadInBackground() {
    dev.jbuild.layerstore.posix.Posix.preloadInBackground();
  }

  /**
   * Diffs an overlayfs upperdir against its lowerdirs and stores the changeset as a gzip layer.
   * The overlay must be unmounted (or at least quiescent) while this runs.
   *
   * @param upperDir the upperdir of an overlay mounted with {@code redirect_dir=off,metacopy=off}
   * @param lowerDirsTopFirst the lowerdirs of that mount, top first (used only to decide whether a
   *     whiteout or opaque marker is needed)
   * @param store where the layer blob goes
   * @return the layer, or empty when the upperdir holds no change
   * @throws IOException if reading the tree or writing the blob fails, or the upperdir uses
   *     redirect_dir or metacopy
   */
  public static Optional<Layer> diff(Path upperDir, List<Path> lowerDirsTopFirst,
      ContentStore store) throws IOException {
    return diff(upperDir, lowerDirsTopFirst, store, LayerOptions.defaults());
  }

  /**
   * Like {@link #diff(Path, List, ContentStore)}, with a compression and an optional {@code
   * SOURCE_DATE_EPOCH} mtime clamp (see {@link LayerOptions}).
   */
  public static Optional<Layer> diff(Path upperDir, List<Path> lowerDirsTopFirst,
      ContentStore store, LayerOptions options) throws IOException {
    try (LayerOutput out = new LayerOutput(store, options)) {
      TreeWalker walker = new TreeWalker(out, List.copyOf(lowerDirsTopFirst), true, options);
      walker.walkDirectory(upperDir, "");
      if (walker.count == 0) {
        return Optional.empty(); // closing aborts the blob
      }
      return Optional.of(out.commit());
    }
  }

  /**
   * What {@link #diffAndSummarize} gives.
   *
   * @param layer the layer, or empty when the upperdir holds no change
   * @param upperDir the upperdir's {@link TreeSummary}, as {@link TreeSummary#of} computes it
   */
  public record Summarized(Optional<Layer> layer, TreeSummary upperDir) {}

  /**
   * Like {@link #diff(Path, List, ContentStore, LayerOptions)}, and summarizes the upperdir in
   * the same walk: a step's upperdir that becomes a snapshot needs its {@link TreeSummary}, and
   * the diff has just stat'ed every entry (a second walk cost a 20k-file COPY an lstat per file).
   */
  public static Summarized diffAndSummarize(Path upperDir, List<Path> lowerDirsTopFirst,
      ContentStore store, LayerOptions options) throws IOException {
    return diffAndSummarize(upperDir, lowerDirsTopFirst, store, options, true);
  }

  /**
   * Like {@link #diffAndSummarize(Path, List, ContentStore, LayerOptions)}; without {@code
   * writeBlob} the compressed bytes are only digested and counted, not stored: for an upperdir
   * that becomes a snapshot, whose blob {@link #rediff} writes later (the layer's {@link
   * LayerInfo} is recorded either way).
   */
  public static Summarized diffAndSummarize(Path upperDir, List<Path> lowerDirsTopFirst,
      ContentStore store, LayerOptions options, boolean writeBlob) throws IOException {
    TreeSummary.Accumulator summary = new TreeSummary.Accumulator();
    try (LayerOutput out = new LayerOutput(store, options, writeBlob)) {
      TreeWalker walker = new TreeWalker(out, List.copyOf(lowerDirsTopFirst), true, options,
          summary);
      walker.walkDirectory(upperDir, "");
      return new Summarized(walker.count == 0 ? Optional.empty() : Optional.of(out.commit()),
          summary.finish());
    }
  }

  /**
   * Diffs {@code upperDir} again, exactly as {@link #diff(Path, List, ContentStore, LayerOptions)}
   * did when it made {@code expected}, and stores the blob only if it is exactly {@code expected}
   * (digest and size): the walk and the tar and compression are deterministic, so an upperdir
   * kept unchanged as a snapshot gives back the same bytes.
   *
   * @throws dev.jbuild.layerstore.hash.DigestMismatchException if the tree changed since
   */
  public static Layer rediff(Path upperDir, List<Path> lowerDirsTopFirst, ContentStore store,
      LayerOptions options, Descriptor expected) throws IOException {
    try (LayerOutput out = new LayerOutput(store, options)) {
      return remake(out, upperDir, lowerDirsTopFirst, options, expected);
    }
  }

  private static Layer remake(LayerOutput out, Path upperDir, List<Path> lowerDirsTopFirst,
      LayerOptions options, Descriptor expected) throws IOException {
    new TreeWalker(out, List.copyOf(lowerDirsTopFirst), true, options).walkDirectory(upperDir, "");
    return out.remake(expected);
  }

  /**
   * Like {@link #rediff}, writing the compressed bytes to {@code out} (not closed) instead of the
   * store, as they are made: for a push, which sends them on as they come.
   *
   * @throws dev.jbuild.layerstore.hash.DigestMismatchException after the last byte, if the
   *     tree changed since {@code expected} was made
   */
  public static void rediffTo(Path upperDir, List<Path> lowerDirsTopFirst, ContentStore store,
      LayerOptions options, Descriptor expected, OutputStream out) throws IOException {
    try (LayerOutput output = new LayerOutput(store, options, false, out)) {
      remake(output, upperDir, lowerDirsTopFirst, options, expected);
    }
  }

  /**
   * Makes a layer holding a whole directory tree (a root filesystem): no whiteout conversion,
   * devices kept as devices, overlay xattrs stripped.
   */
  public static Layer fromDirectory(Path dir, ContentStore store) throws IOException {
    return fromDirectory(dir, store, LayerOptions.defaults());
  }

  /** Like {@link #fromDirectory(Path, ContentStore)} with {@link LayerOptions}. */
  public static Layer fromDirectory(Path dir, ContentStore store, LayerOptions options)
      throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("Tried to make a layer from " + dir + " but failed because: it is not"
          + " a directory");
    }
    try (LayerOutput out = new LayerOutput(store, options)) {
      new TreeWalker(out, List.of(), false, options).walkDirectory(dir, "");
      return out.commit();
    }
  }

  /**
   * Makes a layer from an existing tar stream (gzip, bzip2 or plain), keeping the uncompressed
   * bytes exactly (so the DiffID is the tar's own sha256) and storing them gzip-compressed. Entries
   * get the checks that need no file system ({@link SafeTarExtractor#checkStatically}); the rest is
   * left to extraction. Does not close {@code tar}.
   *
   * @throws UnsafeTarEntryException if an entry's name or hardlink target is unsafe
   */
  public static Layer fromTar(InputStream tar, ContentStore store) throws IOException {
    return fromTar(tar, store, LayerOptions.defaults());
  }

  /**
   * Like {@link #fromTar(InputStream, ContentStore)} with {@link LayerOptions}. Without a {@code
   * SOURCE_DATE_EPOCH} the uncompressed bytes are kept exactly; with one the tar is rewritten
   * entry by entry (clamped mtimes, jbuild's header encoding), which changes its DiffID.
   */
  public static Layer fromTar(InputStream tar, ContentStore store, LayerOptions options)
      throws IOException {
    InputStream plain = TarStreams.decompress(tar);
    try (LayerOutput out = new LayerOutput(store, options)) {
      if (options.sourceDateEpoch().isPresent()) {
        TarReader reader = new TarReader(plain);
        TarEntry entry;
        while ((entry = reader.next()) != null) {
          SafeTarExtractor.checkStatically(entry);
          out.write(entry.withMtime(options.clamp(entry.mtime())), reader.content());
        }
        return out.commit();
      }
      // Count file sizes with a reader that sees the same bytes as they are copied.
      InputStream tee = new TeeInputStream(plain, out.uncompressed);
      long contentSize = 0;
      try {
        TarReader reader = new TarReader(tee);
        TarEntry entry;
        while ((entry = reader.next()) != null) {
          // Refused now rather than at first extraction, so `load` tags no such image.
          SafeTarExtractor.checkStatically(entry);
          contentSize += entry.diskSize();
        }
      } catch (UnsafeTarEntryException e) {
        throw e;
      } catch (IOException e) {
        // Not a tar jbuild can parse: stored as is (extraction refuses it). A read error of the
        // stream itself shows up again while draining it below.
        contentSize = -1;
      }
      tee.transferTo(OutputStream.nullOutputStream());
      return out.commitRaw(contentSize, null);
    }
  }

  /**
   * Streams the layer as the uncompressed tar (for a DiffID check, size accounting or export).
   * Not closed.
   */
  private static final class TeeInputStream extends java.io.FilterInputStream {
    private final OutputStream copy;

    TeeInputStream(InputStream in, OutputStream copy) {
      super(in);
      this.copy = copy;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        copy.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        copy.write(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[(int) Math.min(n, 8192)];
      int r = read(buf, 0, buf.length);
      return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
