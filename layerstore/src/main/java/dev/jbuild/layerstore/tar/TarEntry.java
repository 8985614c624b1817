package dev.jbuild.layerstore.tar;

import dev.jbuild.layerstore.fs.FileNames;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One tar header, as jbuild reads and writes it. Names are relative, use {@code /}, and
 * directories end in {@code /} when written. Extended attributes are raw bytes because values such
 * as {@code security.capability} are binary (commons-compress decodes PAX values as UTF-8, which
 * corrupts them, so jbuild has its own {@link TarReader} and {@link TarWriter}).
 *
 * @param name the path inside the archive
 * @param type the entry type
 * @param mode the permission bits including setuid/setgid/sticky (07777)
 * @param uid numeric owner
 * @param gid numeric group
 * @param size content size; 0 for everything but regular files
 * @param mtime modification time in seconds since the epoch
 * @param linkName the symlink target or, for hardlinks, the path of the linked entry; "" otherwise
 * @param devMajor device major number (devices only)
 * @param devMinor device minor number (devices only)
 * @param xattrs extended attributes by full name (for example {@code security.capability}), sorted
 */
public record TarEntry(
    String name,
    Type type,
    int mode,
    long uid,
    long gid,
    long size,
    long mtime,
    String linkName,
    int devMajor,
    int devMinor,
    Map<String, byte[]> xattrs) {

  /** The entry types jbuild supports. */
  public enum Type {
    FILE('0'),
    HARDLINK('1'),
    SYMLINK('2'),
    CHAR_DEVICE('3'),
    BLOCK_DEVICE('4'),
    DIRECTORY('5'),
    FIFO('6');

    private final char flag;

    Type(char flag) {
      this.flag = flag;
    }

    /** The ustar typeflag. */
    public char flag() {
      return flag;
    }
  }

  /** Validates and copies. */
  public TarEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    linkName = linkName == null ? "" : linkName;
    if (size < 0) {
      throw new IllegalArgumentException("negative size for " + name);
    }
    if (type != Type.FILE && size != 0) {
      throw new IllegalArgumentException(type + " entry " + name + " cannot have content");
    }
    xattrs = xattrs == null || xattrs.isEmpty()
        ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(xattrs));
  }

  /** A regular file. */
  public static TarEntry file(String name, int mode, long uid, long gid, long size, long mtime) {
    return new TarEntry(name, Type.FILE, mode, uid, gid, size, mtime, "", 0, 0, Map.of());
  }

  /** A directory; {@code name} gets a trailing slash when written. */
  public static TarEntry directory(String name, int mode, long uid, long gid, long mtime) {
    return new TarEntry(name, Type.DIRECTORY, mode, uid, gid, 0, mtime, "", 0, 0, Map.of());
  }

  /** A symlink to {@code target}. */
  public static TarEntry symlink(String name, String target, long uid, long gid, long mtime) {
    return new TarEntry(name, Type.SYMLINK, 0777, uid, gid, 0, mtime, target, 0, 0, Map.of());
  }

  /** Returns a copy with these extended attributes. */
  public TarEntry withXattrs(Map<String, byte[]> newXattrs) {
    return new TarEntry(name, type, mode, uid, gid, size, mtime, linkName, devMajor, devMinor,
        newXattrs);
  }

  /** Returns a copy with another name. */
  public TarEntry withName(String newName) {
    return new TarEntry(newName, type, mode, uid, gid, size, mtime, linkName, devMajor, devMinor,
        xattrs);
  }

  /** Returns a copy with another mtime. */
  public TarEntry withMtime(long newMtime) {
    return new TarEntry(name, type, mode, uid, gid, size, newMtime, linkName, devMajor, devMinor,
        xattrs);
  }

  /**
   * The bytes this entry adds to a layer's size as Docker counts it ({@code directory.Size} of
   * the unpacked layer): a regular file's size, a symlink's target length, 0 for everything else
   * (hardlinks are counted once, through their first path).
   */
  public long diskSize() {
    if (type == Type.FILE) {
      return size;
    }
    return type == Type.SYMLINK ? FileNames.encode(linkName).length
        : 0;
  }

  /** True for directories. */
  public boolean isDirectory() {
    return type == Type.DIRECTORY;
  }
}
