package dev.jbuild.layerstore.fs;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long[] counts = new long[2];
    walk(root, "", sha, counts);
    return new TreeSummary(counts[0], counts[1], HexFormat.of().formatHex(sha.digest()));
  }

  private static void walk(Path dir, String rel, MessageDigest sha, long[] counts)
      throws IOException {
    List<Path> children = new ArrayList<>();
    try (var list = Files.list(dir)) {
      list.forEach(children::add);
    }
    children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    for (Path child : children) {
      String name = rel + "/" + child.getFileName();
      Map<String, Object> a = Files.readAttributes(child,
          "unix:mode,uid,gid,size,lastModifiedTime,rdev", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      boolean directory = (mode & 0170000) == 0040000;
      boolean regular = (mode & 0170000) == 0100000;
      boolean symlink = (mode & 0170000) == 0120000;
      long size = regular ? (Long) a.get("size") : 0;
      // Directory mtimes change whenever a child is added or removed, so leave them out of the
      // record: the children themselves are recorded.
      long mtime = directory ? 0
          : ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond();
      String record = name + "\0" + Integer.toOctalString(mode) + "\0" + a.get("uid") + "\0"
          + a.get("gid") + "\0" + size + "\0" + mtime + "\0" + a.get("rdev") + "\0"
          + (symlink ? Files.readSymbolicLink(child).toString() : "") + "\n";
      sha.update(record.getBytes(StandardCharsets.UTF_8));
      counts[0]++;
      counts[1] += size;
      if (directory) {
        walk(child, name, sha, counts);
      }
    }
  }
}
