package dev.jbuild.layerstore.fs;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A cheap fingerprint of a directory tree from metadata only (one {@code lstat} per entry, no
 * content reads): the number of entries, the bytes in regular files, and a sha256 over every
 * entry's path, type and mode, owner, size, mtime (nanoseconds), device number and symlink target,
 * in sorted order. It detects files added, removed, truncated, re-owned, re-moded or rewritten
 * (a write changes the mtime), which is what goes wrong with unpacked layers in practice; it does
 * not re-hash content (blobs are where content is verified).
 *
 * @param entries the number of entries below the root (the root itself not counted)
 * @param bytes the total size of the regular files
 * @param digest hex sha256 of the sorted metadata records
 */
public record TreeSummary(
    @JsonProperty("entries") long entries,
    @JsonProperty("bytes") long bytes,
    @JsonProperty("digest") String digest) {

  /** Summarizes the tree at {@code root} without following symlinks. */
  public static TreeSummary of(Path root) throws IOException {
    Accumulator acc = new Accumulator();
    walk(root, "", acc);
    return acc.finish();
  }

  private static void walk(Path dir, String rel, Accumulator acc) throws IOException {
    List<Path> children = new ArrayList<>();
    try (var list = Files.list(dir)) {
      list.forEach(children::add);
    }
    children.sort((a, b) -> FileNames.name(a).compareTo(FileNames.name(b)));
    for (Path child : children) {
      String name = rel + "/" + FileNames.name(child);
      Map<String, Object> a = Files.readAttributes(child,
          "unix:mode,uid,gid,size,lastModifiedTime,rdev", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      boolean symlink = (mode & 0170000) == 0120000;
      acc.add(name, mode, (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("size"),
          (FileTime) a.get("lastModifiedTime"), (Long) a.get("rdev"),
          symlink ? FileNames.string(Files.readSymbolicLink(child)) : "");
      if ((mode & 0170000) == 0040000) {
        walk(child, name, acc);
      }
    }
  }

  /**
   * Builds a summary from entries another walk of the same tree already stat'ed (the layer diff
   * of an upperdir walks it entry by entry just before the upperdir becomes a snapshot), so the
   * tree is not walked a second time. Entries must come in {@link #of}'s order: depth first, a
   * directory before its children, siblings sorted by {@link String#compareTo} of their names.
   * Not thread-safe.
   */
  public static final class Accumulator {
    private final MessageDigest sha;
    private long entries;
    private long bytes;

    /** An empty summary. */
    public Accumulator() {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * Adds one entry below the root.
     *
     * @param name its path from the root with a leading slash ({@code /etc/passwd})
     * @param mode {@code st_mode}, type bits included
     * @param uid {@code st_uid} as NIO's {@code unix:uid} gives it
     * @param gid {@code st_gid} likewise
     * @param size {@code st_size} (counted for regular files only)
     * @param mtime the modification time (left out for directories)
     * @param rdev {@code st_rdev}
     * @param symlinkTarget the link's target for a symlink, else empty
     */
    public void add(String name, int mode, int uid, int gid, long size, FileTime mtime,
        long rdev, String symlinkTarget) {
      boolean directory = (mode & 0170000) == 0040000;
      boolean regular = (mode & 0170000) == 0100000;
      long counted = regular ? size : 0;
      // Directory mtimes change whenever a child is added or removed, so leave them out of the
      // record: the children themselves are recorded.
      long seconds = directory ? 0 : mtime.toInstant().getEpochSecond();
      String record = name + "\0" + Integer.toOctalString(mode) + "\0" + uid + "\0" + gid + "\0"
          + counted + "\0" + seconds + "\0" + rdev + "\0" + symlinkTarget + "\n";
      sha.update(FileNames.encode(record));
      entries++;
      bytes += counted;
    }

    /** The summary of the entries added so far. */
    public TreeSummary finish() {
      return new TreeSummary(entries, bytes, HexFormat.of().formatHex(sha.digest()));
    }
  }
}
