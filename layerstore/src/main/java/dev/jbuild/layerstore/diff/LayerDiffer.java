package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.content.BlobWriter;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.hash.DigestingOutputStream;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.overlay.OverlayFormat;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.tar.SafeTarExtractor;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarStreams;
import dev.jbuild.layerstore.tar.TarWriter;
import dev.jbuild.layerstore.tar.UnsafeTarEntryException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
      Walker walker = new Walker(out, List.copyOf(lowerDirsTopFirst), true, options);
      walker.walkDirectory(upperDir, "");
      if (walker.count == 0) {
        return Optional.empty(); // closing aborts the blob
      }
      return Optional.of(out.commit());
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
      new Walker(out, List.of(), false, options).walkDirectory(dir, "");
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
      return out.commitRaw(contentSize);
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

  /** The tar → diffID digest → compression → blob pipeline. */
  private static final class LayerOutput implements AutoCloseable {
    final ContentStore store;
    final LayerOptions options;
    final BlobWriter writer;
    final OutputStream compressed;
    final DigestingOutputStream uncompressed;
    final TarWriter tar;
    long contentSize;

    LayerOutput(ContentStore store, LayerOptions options) throws IOException {
      this.store = store;
      this.options = options;
      writer = store.newWriter();
      compressed = options.compression().compress(writer.stream());
      uncompressed = new DigestingOutputStream(compressed);
      tar = new TarWriter(new BufferedOutputStream(uncompressed, 64 * 1024));
    }

    void write(TarEntry entry, InputStream content) throws IOException {
      tar.write(entry, content);
      contentSize += entry.diskSize();
    }

    Layer commit() throws IOException {
      tar.finish();
      return commitRaw(contentSize);
    }

    Layer commitRaw(long files) throws IOException {
      uncompressed.flush();
      compressed.close(); // finishes the compressed stream; the blob writer stays open
      Descriptor blob = writer.commit(options.compression().mediaType(), null, -1);
      Layer layer = new Layer(blob, uncompressed.digest());
      if (files >= 0) {
        store.putLayerInfo(new LayerInfo(blob.digest(), layer.diffId(), uncompressed.size(),
            files));
      }
      return layer;
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }

  /** One walk of a tree into tar entries. */
  private static final class Walker {
    private final LayerOutput out;
    private final List<Path> lowers;
    private final boolean overlay;
    private final LayerOptions options;
    private final Map<String, String> firstPathByInode = new HashMap<>();
    /** Skipped (unchanged) directories on the current path, outermost first. */
    private final List<TarEntry> pending = new ArrayList<>();
    /** How many of {@link #pending} have been written because a descendant was. */
    private int written;
    int count;

    Walker(LayerOutput out, List<Path> lowers, boolean overlay, LayerOptions options) {
      this.out = out;
      this.lowers = lowers;
      this.overlay = overlay;
      this.options = options;
    }

    void walkDirectory(Path dir, String rel) throws IOException {
      List<Path> children;
      try (Stream<Path> list = Files.list(dir)) {
        children = new ArrayList<>(list.toList());
      }
      children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
      for (Path child : children) {
        String name = child.getFileName().toString();
        visit(child, rel.isEmpty() ? name : rel + "/" + name, rel, name);
      }
    }

    private void visit(Path path, String rel, String parentRel, String name) throws IOException {
      Map<String, Object> a = Files.readAttributes(path,
          "unix:mode,ino,dev,rdev,nlink,uid,gid,lastModifiedTime,size",
          LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      int format = mode & Posix.S_IFMT;
      long uid = ((Integer) a.get("uid")) & 0xffffffffL;
      long gid = ((Integer) a.get("gid")) & 0xffffffffL;
      long mtime = options.clamp(((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS));
      long rdev = (Long) a.get("rdev");
      long size = (Long) a.get("size");
      Map<String, byte[]> rawXattrs = readXattrs(path);
      if (overlay) {
        refuseUnsupported(path, rawXattrs);
        if (OverlayFormat.isWhiteout(mode, rdev, size, rawXattrs)) {
          if (existsBelow(rel)) {
            String wh = (parentRel.isEmpty() ? "" : parentRel + "/")
                + OverlayFormat.whiteoutEntry(name);
            emit(TarEntry.file(wh, 0600, 0, 0, 0, 0), null);
          }
          return;
        }
      }
      Map<String, byte[]> xattrs = keptXattrs(rawXattrs);
      TarEntry entry;
      switch (format) {
        case Posix.S_IFDIR:
          boolean opaque = overlay && OverlayFormat.isOpaque(rawXattrs) && existsBelow(rel);
          TarEntry dir = TarEntry.directory(rel, mode & 07777, uid, gid, mtime).withXattrs(xattrs);
          // A directory that was only copied up (for example the parent of a mount stub the
          // runner removed again) is not a change by itself (BuildKit's sameDirent); it is
          // written only when something inside it is, because docker's extractor would
          // recreate a missing parent as 0755 root and hide the directory below.
          boolean unchanged = overlay && !opaque && sameAsBelow(rel, a, xattrs);
          if (unchanged) {
            pending.add(dir);
          } else {
            emit(dir, null);
          }
          if (opaque) {
            emit(TarEntry.file(rel + "/" + OverlayFormat.OPAQUE_MARKER, 0600, 0, 0, 0, 0), null);
          }
          walkDirectory(path, rel);
          if (unchanged) {
            pending.remove(pending.size() - 1);
            written = Math.min(written, pending.size());
          }
          return;
        case Posix.S_IFREG:
          long nlink = ((Number) a.get("nlink")).longValue();
          if (nlink > 1) {
            String key = a.get("dev") + ":" + a.get("ino");
            String first = firstPathByInode.putIfAbsent(key, rel);
            if (first != null) {
              emit(new TarEntry(rel, TarEntry.Type.HARDLINK, mode & 07777, uid, gid, 0, mtime,
                  first, 0, 0, xattrs), null);
              return;
            }
          }
          entry = new TarEntry(rel, TarEntry.Type.FILE, mode & 07777, uid, gid, size, mtime, "",
              0, 0, xattrs);
          try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            emit(entry, in);
          }
          return;
        case Posix.S_IFLNK:
          String target = Files.readSymbolicLink(path).toString();
          emit(new TarEntry(rel, TarEntry.Type.SYMLINK, mode & 07777, uid, gid, 0, mtime, target,
              0, 0, xattrs), null);
          return;
        case Posix.S_IFCHR:
        case Posix.S_IFBLK:
          TarEntry.Type type =
              format == Posix.S_IFCHR ? TarEntry.Type.CHAR_DEVICE : TarEntry.Type.BLOCK_DEVICE;
          emit(new TarEntry(rel, type, mode & 07777, uid, gid, 0, mtime, "", Posix.major(rdev),
              Posix.minor(rdev), xattrs), null);
          return;
        case Posix.S_IFIFO:
          emit(new TarEntry(rel, TarEntry.Type.FIFO, mode & 07777, uid, gid, 0, mtime, "", 0, 0,
              xattrs), null);
          return;
        default:
          // Sockets cannot be represented in a tar; Docker leaves them out too.
          return;
      }
    }

    private void emit(TarEntry entry, InputStream content) throws IOException {
      // Unchanged ancestors of this entry come first, outermost first.
      for (; written < pending.size(); written++) {
        out.write(pending.get(written), null);
        count++;
      }
      out.write(entry, content);
      count++;
    }

    /**
     * True when the topmost lower entry at {@code rel} is a directory with the same mode, owner,
     * mtime (to the nanosecond) and kept xattrs as the upper directory.
     */
    private boolean sameAsBelow(String rel, Map<String, Object> upper,
        Map<String, byte[]> upperXattrs) throws IOException {
      for (Path lower : lowers) {
        Path p = lower.resolve(rel);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          return false;
        }
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime",
            LinkOption.NOFOLLOW_LINKS);
        if (!a.get("mode").equals(upper.get("mode")) || !a.get("uid").equals(upper.get("uid"))
            || !a.get("gid").equals(upper.get("gid"))
            || !a.get("lastModifiedTime").equals(upper.get("lastModifiedTime"))) {
          return false;
        }
        Map<String, byte[]> lowerXattrs = keptXattrs(readXattrs(p));
        if (!lowerXattrs.keySet().equals(upperXattrs.keySet())) {
          return false;
        }
        for (Map.Entry<String, byte[]> e : upperXattrs.entrySet()) {
          if (!Arrays.equals(e.getValue(), lowerXattrs.get(e.getKey()))) {
            return false;
          }
        }
        return true;
      }
      return false;
    }

    private boolean existsBelow(String rel) {
      for (Path lower : lowers) {
        if (Files.exists(lower.resolve(rel), LinkOption.NOFOLLOW_LINKS)) {
          return true;
        }
      }
      return false;
    }

    private static Map<String, byte[]> readXattrs(Path path) throws IOException {
      Map<String, byte[]> xattrs = new TreeMap<>();
      for (String name : Posix.llistxattr(path)) {
        Optional<byte[]> value = Posix.lgetxattr(path, name);
        value.ifPresent(v -> xattrs.put(name, v));
      }
      return xattrs;
    }

    private static Map<String, byte[]> keptXattrs(Map<String, byte[]> raw) {
      Map<String, byte[]> kept = new TreeMap<>();
      raw.forEach((k, v) -> {
        if (!OverlayFormat.isOverlayXattr(k)) {
          kept.put(k, v);
        }
      });
      return kept;
    }

    private static void refuseUnsupported(Path path, Map<String, byte[]> raw) throws IOException {
      if (OverlayFormat.usesRedirectOrMetacopy(raw)) {
        throw new IOException("Tried to diff overlay upperdir entry " + path + " but failed"
            + " because: it uses redirect_dir or metacopy; mount the overlay with"
            + " redirect_dir=off,metacopy=off,index=off");
      }
    }
  }
}
