package dev.jbuild.builder.context;

import dev.jbuild.layerstore.fs.FileNames;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.posix.Stat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/**
 * The checksum half of {@link TreeCopier}: one SHA-256 over every source of a COPY line, its
 * names, types, modes, owners (when kept), link targets and file contents, never mtimes. Not
 * thread-safe: one instance per checksum.
 */
final class CopyChecksum {
  private static final int S_IFMT = Posix.S_IFMT;
  private static final int S_IFDIR = Posix.S_IFDIR;
  private static final int S_IFLNK = Posix.S_IFLNK;
  private static final int S_IFREG = Posix.S_IFREG;
  private final boolean keepsOwnership;
  private final ChecksumCache checksums;
  private final MessageDigest md = sha256();
  private final Map<Path, Stat> statted;

  /**
   * @param keepsOwnership whether owners are part of what is copied (a stage's rootfs), so part
   *     of the checksum
   * @param checksums file hashes remembered by stat data
   * @param statted receives each entry's stat by host path, so that the copy that follows the
   *     checksum takes it instead of a second {@code statx} per file
   */
  CopyChecksum(boolean keepsOwnership, ChecksumCache checksums, Map<Path, Stat> statted) {
    this.keepsOwnership = keepsOwnership;
    this.checksums = checksums;
    this.statted = statted;
  }

  /**
   * Adds one source: a header line with {@code label} (the name it is copied under), then the tree
   * at {@code rel} of {@code from}, whose bytes are at {@code host}.
   */
  void add(String label, FileSource from, String rel, Path host) throws IOException {
    update("source " + label + "\n");
    hashTree(from, rel, host);
  }

  /** The digest of everything added, as lower-case hex; ends this checksum. */
  String hex() {
    return HexFormat.of().formatHex(md.digest());
  }

  private void hashTree(FileSource from, String rel, Path host) throws IOException {
    // One lstat per entry gives the type, mode, owner and the stat data the checksum cache is
    // keyed by: a cached build of a large context costs this walk and nothing more per file.
    Stat a = Posix.lstat(host);
    statted.put(host, a);
    int mode = a.mode();
    int type = mode & S_IFMT;
    StringBuilder line = new StringBuilder(rel).append(' ').append(Integer.toOctalString(mode));
    if (keepsOwnership) {
      line.append(' ').append(a.uid()).append(':').append(a.gid());
    }
    if (type == S_IFLNK) {
      line.append(" -> ").append(FileNames.string(Files.readSymbolicLink(host)));
    } else if (type == S_IFREG) {
      line.append(' ').append(checksums.sha256(host, a));
    }
    update(line.append('\n').toString());
    if (type == S_IFDIR) {
      for (Map.Entry<String, Path> c : from.children(rel).entrySet()) {
        hashTree(from, rel.isEmpty() ? c.getKey() : rel + "/" + c.getKey(), c.getValue());
      }
    }
  }

  static MessageDigest sha256() {
    return dev.jbuild.layerstore.oci.Digest.newSha256();
  }

  private void update(String s) {
    // A name's own bytes: two names that are not valid UTF-8 must not hash alike.
    md.update(FileNames.encode(s));
  }

  /** Hashes a file's content; used by {@link ChecksumCache} on a miss. */
  static String hashFile(Path file) throws IOException {
    MessageDigest md = sha256();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
