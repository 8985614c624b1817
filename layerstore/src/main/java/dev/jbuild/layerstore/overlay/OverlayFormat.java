package dev.jbuild.layerstore.overlay;

import dev.jbuild.layerstore.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The one owner of overlayfs's on-disk format ({@code Documentation/filesystems/overlayfs.rst})
 * and of its OCI layer counterpart ({@code image-spec layer.md}):
 *
 * <ul>
 *   <li>a whiteout is a character device 0/0 on disk and an empty {@code .wh.<name>} in a layer;
 *   <li>an opaque directory carries {@code <ns>overlay.opaque=y} on disk and holds {@code
 *       .wh..wh..opq} in a layer;
 *   <li>{@code <ns>} is the xattr namespace overlayfs reads: {@code trusted.} when mounted by
 *       root, {@code user.} with the {@code userxattr} mount option (rootless stores);
 *   <li>{@code *.overlay.*} xattrs (and fuse-overlayfs's {@code user.fuseoverlayfs.*}) control
 *       overlayfs and are never copied from or into a layer; {@code redirect} and {@code metacopy}
 *       ones cannot be represented in a layer at all.
 * </ul>
 *
 * <p>Instances only differ by namespace; they are immutable and thread-safe.
 */
public final class OverlayFormat {
  /** The prefix of a whiteout entry in a layer tar. */
  public static final String WHITEOUT_PREFIX = ".wh.";
  /** The layer tar entry that makes its directory opaque. */
  public static final String OPAQUE_MARKER = ".wh..wh..opq";
  /** The format overlayfs reads when mounted by root. */
  public static final OverlayFormat TRUSTED = new OverlayFormat("trusted.");
  /** The format overlayfs reads with {@code userxattr} (rootless mounts). */
  public static final OverlayFormat USER = new OverlayFormat("user.");

  private static final String[] NAMESPACES = {"trusted.", "user."};
  private static final String FUSE_PREFIX = "user.fuseoverlayfs.";
  private static final byte[] YES = "y".getBytes(StandardCharsets.US_ASCII);

  private final String namespace;

  private OverlayFormat(String namespace) {
    this.namespace = namespace;
  }

  /**
   * The format of a store written by this process: {@link #TRUSTED} as root of the host, else
   * {@link #USER}, also as root of a user namespace (rootless mode), where {@code trusted.}
   * xattrs cannot be written and rrun mounts the overlay with {@code userxattr}.
   */
  public static OverlayFormat forCurrentUser() {
    return Posix.isRoot() && !Posix.inUserNamespace() ? TRUSTED : USER;
  }

  /** The xattr namespace, {@code trusted.} or {@code user.}. */
  public String namespace() {
    return namespace;
  }

  /** The name of the opaque-directory xattr in this namespace, e.g. {@code trusted.overlay.opaque}. */
  public String opaqueXattr() {
    return namespace + "overlay.opaque";
  }

  /** Marks {@code dir} opaque: lower directories of the same name are hidden below it. */
  public void markOpaque(Path dir) throws IOException {
    Posix.lsetxattr(dir, opaqueXattr(), YES.clone());
  }

  /**
   * True when {@code dir} carries this namespace's opaque xattr with value {@code y}; false also
   * when the xattr cannot be read (as overlayfs, which then merges).
   */
  public boolean isOpaque(Path dir) {
    try {
      Optional<byte[]> v = Posix.lgetxattr(dir, opaqueXattr());
      return v.isPresent() && Arrays.equals(v.get(), YES);
    } catch (IOException e) {
      return false;
    }
  }

  /** Creates a whiteout at {@code path}: a character device 0/0. */
  public static void makeWhiteout(Path path) throws IOException {
    Posix.mkwhiteout(path);
  }

  /** True for a whiteout on disk: a character device with device number 0/0. */
  public static boolean isWhiteout(Path p) throws IOException {
    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
        || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
        || Files.isSymbolicLink(p)) {
      return false;
    }
    Map<String, Object> a = Files.readAttributes(p, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
    return isWhiteout((Integer) a.get("mode"), (Long) a.get("rdev"));
  }

  /** True for the {@code st_mode}/{@code st_rdev} of a whiteout: char device 0/0. */
  public static boolean isWhiteout(int mode, long rdev) {
    return (mode & Posix.S_IFMT) == Posix.S_IFCHR && rdev == 0;
  }

  /**
   * True for an upperdir entry that is a whiteout in any namespace: a 0/0 char device, or the
   * zero-size regular file with an {@code overlay.whiteout} xattr that overlayfs writes where it
   * cannot mknod (rootless, kernel 6.7+).
   */
  public static boolean isWhiteout(int mode, long rdev, long size, Map<String, byte[]> xattrs) {
    return isWhiteout(mode, rdev) || ((mode & Posix.S_IFMT) == Posix.S_IFREG && size == 0
        && hasOverlayXattr(xattrs, "whiteout"));
  }

  /** True when {@code xattrs} make a directory opaque in any namespace, fuse-overlayfs's too. */
  public static boolean isOpaque(Map<String, byte[]> xattrs) {
    for (String ns : NAMESPACES) {
      if (Arrays.equals(xattrs.get(ns + "overlay.opaque"), YES)) {
        return true;
      }
    }
    return Arrays.equals(xattrs.get(FUSE_PREFIX + "opaque"), YES);
  }

  /**
   * True when {@code xattrs} use {@code redirect_dir} or {@code metacopy}, which describe a file
   * by reference to a lower layer and so cannot become a self-contained layer entry.
   */
  public static boolean usesRedirectOrMetacopy(Map<String, byte[]> xattrs) {
    return hasOverlayXattr(xattrs, "redirect") || hasOverlayXattr(xattrs, "metacopy");
  }

  /**
   * True for an xattr that controls overlayfs (any {@code *.overlay.*}, or fuse-overlayfs's
   * {@code user.fuseoverlayfs.*}): such xattrs are stripped when a layer is made and refused when
   * one is extracted, as a tar could otherwise redirect or hide files of other layers.
   */
  public static boolean isOverlayXattr(String name) {
    return name.contains(".overlay.") || name.startsWith(FUSE_PREFIX);
  }

  /** The layer entry name that whites out {@code name}: {@code .wh.<name>}. */
  public static String whiteoutEntry(String name) {
    return WHITEOUT_PREFIX + name;
  }

  /**
   * The name a layer whiteout entry hides ({@code .wh.x} → {@code x}), or empty when {@code base}
   * is not a whiteout, is the opaque marker or other AUFS metadata ({@code .wh..wh.*}).
   */
  public static Optional<String> whitedOutName(String base) {
    if (!base.startsWith(WHITEOUT_PREFIX) || base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
      return Optional.empty();
    }
    return Optional.of(base.substring(WHITEOUT_PREFIX.length()));
  }

  /** True for AUFS metadata entries ({@code .wh..wh.plnk} …) other than the opaque marker. */
  public static boolean isAufsMetadata(String base) {
    return base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX) && !base.equals(OPAQUE_MARKER);
  }

  private static boolean hasOverlayXattr(Map<String, byte[]> xattrs, String suffix) {
    for (String ns : NAMESPACES) {
      if (xattrs.containsKey(ns + "overlay." + suffix)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "overlay format (" + namespace + "overlay.*)";
  }
}
