package dev.jbuild.layerstore.tar;

import dev.jbuild.layerstore.fs.ExcludedPaths;
import dev.jbuild.layerstore.hash.DigestMismatchException;
import dev.jbuild.layerstore.hash.DigestingInputStream;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.overlay.OverlayFormat;
import dev.jbuild.layerstore.posix.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Extracts a layer tar (gzip, bzip2 or plain, detected by magic) into a directory, refusing
 * anything that could write outside it, and returns the DiffID (sha256 of the uncompressed tar)
 * computed on the way.
 *
 * <p>Safety rules: names with {@code ..} components and absolute names are refused; parents are
 * resolved component by component without trusting symlinks: a symlink in a parent position is
 * followed the way the container would see it (an absolute target is relative to the root) and
 * refused if it climbs above the root; an existing final component is unlinked, never written
 * through; hardlink targets are resolved the same way and must already exist in the root; device
 * nodes follow {@link DevicePolicy}. Extended attributes in the {@code *.overlay.*} namespaces are
 * never taken from a tar, since they would control overlayfs.
 *
 * <p>Whiteouts ({@code layer.md}): in {@link WhiteoutMode#OVERLAY} they become overlayfs markers
 * (a {@code .wh.x} entry makes a char device 0/0 {@code x}, {@code .wh..wh..opq} sets {@code
 * trusted.overlay.opaque=y} on its directory, whatever its position in the tar) for an empty
 * per-layer directory used as an overlay lowerdir; in {@link WhiteoutMode#APPLY} they delete from
 * the existing tree (opaque: every child not unpacked from this same layer), as containerd's
 * {@code applyNaive} does. Other {@code .wh..wh.*} entries (AUFS metadata) are skipped.
 *
 * <p>Applying an entry over an existing path: directory over directory updates the metadata only;
 * anything else replaces the path. Directory times are set last. Instances are immutable and
 * thread-safe; one extraction per call.
 */
public final class SafeTarExtractor {
  /** How whiteout entries are applied. */
  public enum WhiteoutMode {
    /** Into overlayfs markers, for a per-layer lowerdir. */
    OVERLAY,
    /** By deleting the whited-out paths from the tree being extracted into. */
    APPLY
  }

  /** What to do with character and block device entries (not whiteouts). */
  public enum DevicePolicy {
    /** {@code mknod} them (needs root). */
    CREATE,
    /** Leave them out, with a debug log line. */
    SKIP,
    /** Fail the extraction. */
    REFUSE
  }

  /**
   * Extraction settings.
   *
   * @param whiteouts how whiteouts are applied
   * @param devices what to do with device nodes
   * @param preserveOwnership whether to {@code lchown} entries to their tar uid/gid (needs root)
   * @param overlayFormat the opaque xattr's namespace: {@link OverlayFormat#TRUSTED} for normal
   *     mounts, {@link OverlayFormat#USER} for {@code userxattr} (rootless) mounts
   * @param kept subtrees of the root that belong to the host (a live root's {@code /proc},
   *     jbuild's own directory, bind-mounted {@code /etc/hosts}): entries inside them are skipped
   *     and whiteouts never delete them
   */
  public record Options(WhiteoutMode whiteouts, DevicePolicy devices, boolean preserveOwnership,
      OverlayFormat overlayFormat, ExcludedPaths kept) {

    /** Options that keep nothing apart. */
    public Options(WhiteoutMode whiteouts, DevicePolicy devices, boolean preserveOwnership,
        OverlayFormat overlayFormat) {
      this(whiteouts, devices, preserveOwnership, overlayFormat, ExcludedPaths.NONE);
    }

    /** Overlay lowerdir form: devices and ownership kept when running as root. */
    public static Options overlay() {
      boolean root = Posix.isRoot();
      return new Options(WhiteoutMode.OVERLAY, devicesFor(root), root,
          OverlayFormat.forCurrentUser());
    }

    /** Flattening form (apply onto an existing tree), devices and owners kept as root. */
    public static Options apply() {
      boolean root = Posix.isRoot();
      return new Options(WhiteoutMode.APPLY, devicesFor(root), root,
          OverlayFormat.forCurrentUser());
    }

    /**
     * Device nodes are made only by root of the host: root of a user namespace (rootless mode)
     * may own files and chown them within its map, but the kernel refuses it mknod.
     */
    private static DevicePolicy devicesFor(boolean root) {
      return root && !Posix.inUserNamespace() ? DevicePolicy.CREATE : DevicePolicy.SKIP;
    }

    /** Returns a copy with another device policy. */
    public Options withDevices(DevicePolicy policy) {
      return new Options(whiteouts, policy, preserveOwnership, overlayFormat, kept);
    }

    /** Returns a copy that leaves {@code paths} alone. */
    public Options withKept(ExcludedPaths paths) {
      return new Options(whiteouts, devices, preserveOwnership, overlayFormat, paths);
    }
  }

  private final Options options;

  /** An extractor with these options. */
  public SafeTarExtractor(Options options) {
    this.options = options;
  }

  /**
   * Extracts {@code tar} (possibly compressed) into {@code root}, which must be an existing
   * directory.
   *
   * @param expectedDiffId the DiffID the uncompressed tar must have, or null to accept any
   * @return the DiffID of the uncompressed tar
   * @throws DigestMismatchException if the DiffID differs (the tree is then partially written;
   *     callers extract into a temp directory and discard it)
   * @throws UnsafeTarEntryException if an entry is refused
   */
  public Digest extract(InputStream tar, Path root, Digest expectedDiffId) throws IOException {
    return extract(tar, root, expectedDiffId, List.of()).diffId();
  }

  /**
   * What one extraction read.
   *
   * @param diffId the DiffID of the uncompressed tar
   * @param tarSize the length of the uncompressed tar
   * @param contentSize the sum of the regular files' sizes (Docker's layer size)
   */
  public record Result(Digest diffId, long tarSize, long contentSize) {}

  /**
   * Like {@link #extract(InputStream, Path, Digest)}, for a layer that sits on top of {@code
   * lowerDirsTopFirst} (its unpacked lower layers, never written). A hardlink whose target is not
   * in this layer but in a lower one, which a layer made by a tree-comparing differ may contain,
   * is handled as overlayfs would on a mounted stack: the target (and its missing parent
   * directories, with their attributes) is copied up into this layer and then linked. Targets
   * are resolved inside the lower roots with the same no-escape rules.
   */
  public Result extract(InputStream tar, Path root, Digest expectedDiffId,
      List<Path> lowerDirsTopFirst) throws IOException {
    DigestingInputStream digesting = new DigestingInputStream(TarStreams.decompress(tar));
    ExtractionRun run = new ExtractionRun(options, root.toAbsolutePath().normalize(), lowerDirsTopFirst);
    TarReader reader = new TarReader(digesting);
    TarEntry entry;
    while ((entry = reader.next()) != null) {
      run.apply(entry, reader);
    }
    run.finish();
    // The DiffID covers every byte of the uncompressed stream, including the trailing padding.
    digesting.transferTo(OutputStream.nullOutputStream());
    Digest diffId = digesting.digest();
    if (expectedDiffId != null && !expectedDiffId.equals(diffId)) {
      throw new DigestMismatchException(expectedDiffId, diffId,
          "the uncompressed layer does not match its DiffID");
    }
    return new Result(diffId, digesting.size(), run.contentSize);
  }

  /** Extracts without checking the DiffID; returns it. */
  public Digest extract(InputStream tar, Path root) throws IOException {
    return extract(tar, root, null);
  }

  /**
   * The checks on one entry that need no file system: its name and a hardlink's target are
   * relative without {@code ..} or NUL, and a whiteout names something. {@code load} and
   * {@code pull} run them while they read each new layer for its DiffID, so such a layer is
   * refused before its image is tagged instead of at first use (Docker refuses it at load too);
   * what depends on the tree (symlinks followed by later entries) is left to extraction.
   *
   * @throws UnsafeTarEntryException naming the entry and the reason
   */
  public static void checkStatically(TarEntry entry) throws UnsafeTarEntryException {
    String raw = entry.name();
    List<String> parts = clean(raw, raw);
    if (entry.type() == TarEntry.Type.HARDLINK) {
      if (clean(raw, entry.linkName()).isEmpty()) {
        throw new UnsafeTarEntryException(raw, "hardlink to the root directory");
      }
    }
    if (!parts.isEmpty()) {
      String base = parts.get(parts.size() - 1);
      Optional<String> name = OverlayFormat.whitedOutName(base);
      if (name.isPresent()
          && (name.get().isEmpty() || name.get().equals(".") || name.get().equals(".."))) {
        throw new UnsafeTarEntryException(raw, "invalid whiteout name");
      }
    }
  }

  /**
   * Splits an entry name into clean components, refusing absolute names and {@code ..}.
   *
   * @param raw the entry name, for error messages
   * @param name the name to clean (the entry or a hardlink target)
   */
  static List<String> clean(String raw, String name) throws UnsafeTarEntryException {
    if (name.startsWith("/")) {
      throw new UnsafeTarEntryException(raw, "absolute path '" + name + "'");
    }
    if (name.indexOf('\0') >= 0) {
      throw new UnsafeTarEntryException(raw, "NUL in path");
    }
    List<String> parts = new ArrayList<>();
    for (String part : name.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new UnsafeTarEntryException(raw, "'..' in path '" + name + "'");
      }
      parts.add(part);
    }
    return parts;
  }
}
