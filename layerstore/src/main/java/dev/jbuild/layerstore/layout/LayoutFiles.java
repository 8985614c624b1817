package dev.jbuild.layerstore.layout;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a layout's files are: {@link #directory} or {@link #archive}. Only {@link OciLayoutReader}
 * names blobs, and only by a parsed sha256 {@link Digest}, so no name from the layout is ever
 * joined to a path. Streams are raw: the reader checks sizes and digests.
 */
interface LayoutFiles {
  /** At most {@code max} + 1 bytes of {@code index.json} (one more shows it is too long). */
  byte[] index(int max) throws IOException;

  /** The blob's size in bytes. @throws IOException naming the blob if it is absent */
  long size(Digest digest) throws IOException;

  /** Opens the blob, unverified. @throws IOException naming the blob if it is absent */
  InputStream open(Digest digest) throws IOException;

  /**
   * A layout directory. {@code blobs}, {@code blobs/sha256}, {@code index.json} and every blob
   * must not be symbolic links, and files are opened only if they are regular files, with {@code
   * O_NOFOLLOW} (so a link swapped in after the check fails to open rather than being followed).
   *
   * @throws NoSuchFileException if there is no {@code index.json} (no layout there)
   * @throws IOException naming the file that is a link or not a regular file
   */
  static LayoutFiles directory(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "no OCI layout there");
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not a directory");
    }
    Path blobs = dir.resolve("blobs").resolve("sha256");
    Path index = dir.resolve("index.json");
    for (Path p : List.of(dir.resolve("blobs"), blobs, index)) {
      if (Files.isSymbolicLink(p)) {
        throw new IOException(dir.relativize(p) + " is a symbolic link");
      }
    }
    if (!Files.exists(index, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(index.toString(), null, "no OCI layout there");
    }
    if (!Files.isRegularFile(index, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("index.json is not a regular file");
    }
    return new LayoutFiles() {
      @Override
      public byte[] index(int max) throws IOException {
        try (InputStream in = Files.newInputStream(index, LinkOption.NOFOLLOW_LINKS)) {
          return in.readNBytes(max + 1);
        }
      }

      @Override
      public long size(Digest digest) throws IOException {
        return Files.size(blob(digest));
      }

      @Override
      public InputStream open(Digest digest) throws IOException {
        return Files.newInputStream(blob(digest), LinkOption.NOFOLLOW_LINKS);
      }

      private Path blob(Digest digest) throws IOException {
        Path file = blobs.resolve(digest.hex());
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          // A FIFO or device is refused here too: opening one could block or never end.
          throw new IOException("blob " + digest + " is " + (Files.isSymbolicLink(file)
              ? "a symbolic link" : Files.exists(file, LinkOption.NOFOLLOW_LINKS)
              ? "not a regular file" : "missing"));
        }
        return file;
      }
    };
  }

  /**
   * The OCI side of an image archive whose {@code blobs/sha256/<hex>} entries were already
   * verified into {@code content} by their names (a stream is read once); a blob the store held
   * before counts as present.
   */
  static LayoutFiles archive(byte[] indexJson, ContentStore content) {
    return new LayoutFiles() {
      @Override
      public byte[] index(int max) {
        return indexJson;
      }

      @Override
      public long size(Digest digest) throws IOException {
        check(digest);
        return content.size(digest);
      }

      @Override
      public InputStream open(Digest digest) throws IOException {
        check(digest);
        return content.open(digest);
      }

      private void check(Digest digest) throws IOException {
        if (!content.contains(digest)) {
          throw new IOException("blob " + digest + " is not in the archive");
        }
      }
    };
  }
}
