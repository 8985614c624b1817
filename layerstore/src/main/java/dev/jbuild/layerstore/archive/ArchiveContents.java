package dev.jbuild.layerstore.archive;

import dev.jbuild.layerstore.content.BlobWriter;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.diff.LayerOptions;
import dev.jbuild.layerstore.fs.RootedPath;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarStreams;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything an image archive held, by normalized path, read in one pass for {@link
 * ArchiveLoader} (a stream cannot be read twice): {@code blobs/<alg>/<hex>} verified into the
 * content store, classic {@code layer.tar} files compressed into it, small files (JSON) in memory,
 * and the links between entries. Not thread-safe.
 */
final class ArchiveContents {
  private static final int MAX_METADATA = 16 * 1024 * 1024;

  private final ContentStore content;
  private final LayerOptions options;
  final Map<String, byte[]> metadata = new HashMap<>();
  final Map<String, Digest> blobs = new HashMap<>();
  final Map<String, Layer> classicLayers = new HashMap<>();
  final Map<String, String> links = new HashMap<>();

  private ArchiveContents(ContentStore content, LayerOptions options) {
    this.content = content;
    this.options = options;
  }

  /** Follows symlinks and hardlinks between entries (classic archives link shared layers). */
  String resolve(String path) {
    String p = normalize(path);
    for (int i = 0; i < 16 && links.containsKey(p); i++) {
      p = links.get(p);
    }
    return p;
  }

  boolean hasClassicLayers() {
    return !classicLayers.isEmpty();
  }

  /**
   * Reads a whole archive: blobs verified into {@code content}, classic layers compressed into it,
   * small files kept in memory.
   */
  static ArchiveContents read(InputStream archive, ContentStore content, LayerOptions options)
      throws IOException {
    ArchiveContents c = new ArchiveContents(content, options);
    TarReader reader = new TarReader(TarStreams.decompress(archive));
    TarEntry entry;
    int entries = 0;
    while ((entry = reader.next()) != null) {
      entries++;
      String name = normalize(entry.name());
      switch (entry.type()) {
        case SYMLINK: {
          String target = entry.linkName();
          int slash = name.lastIndexOf('/');
          String base = slash < 0 ? "" : name.substring(0, slash + 1);
          c.links.put(name, normalize(target.startsWith("/") ? target : base + target));
          break;
        }
        case HARDLINK:
          c.links.put(name, normalize(entry.linkName()));
          break;
        case FILE:
          c.readFile(name, entry, reader.content());
          break;
        default:
          break;
      }
    }
    if (entries == 0) {
      throw new IOException("Tried to load an image archive but failed because: it is empty");
    }
    return c;
  }

  private void readFile(String name, TarEntry entry, InputStream in) throws IOException {
    if (name.matches("blobs/sha256/[0-9a-f]{64}")) {
      Digest digest = new Digest("sha256", name.substring("blobs/sha256/".length()));
      if (!content.contains(digest)) {
        try (BlobWriter writer = content.newWriter()) {
          in.transferTo(writer.stream());
          writer.commit("application/octet-stream", digest, entry.size());
        } catch (dev.jbuild.layerstore.hash.DigestMismatchException e) {
          throw new IOException("Tried to load " + name + " from the archive but failed because:"
              + " its content does not match its name (the archive is corrupt)", e);
        }
      }
      blobs.put(name, digest);
    } else if (name.endsWith("/layer.tar") || name.equals("layer.tar")
        || name.matches("[0-9a-f]{64}\\.tar")) {
      // Classic layer (docker: <id>/layer.tar; skopeo: <hex>.tar): compressed on the way in;
      // the DiffID is the tar's own digest.
      classicLayers.put(name, LayerDiffer.fromTar(in, content, options));
    } else if (entry.size() <= MAX_METADATA) {
      metadata.put(name, in.readAllBytes());
    } else {
      // Something large and unknown (a layer under another name?): keep it addressable.
      try (BlobWriter writer = content.newWriter()) {
        in.transferTo(writer.stream());
        blobs.put(name, writer.commit("application/octet-stream", null, -1).digest());
      }
    }
  }

  /** The bytes of a file of the archive (following links), from memory or the content store. */
  byte[] bytes(String rawPath) throws IOException {
    String path = resolve(rawPath);
    byte[] bytes = metadata.get(path);
    if (bytes != null) {
      return bytes;
    }
    Digest blob = blobs.get(path);
    if (blob != null) {
      return content.readAll(blob);
    }
    throw new IOException("Tried to load " + rawPath + " but failed because: it is not in the"
        + " archive");
  }

  /** An entry name as a clean relative path: {@code ./}, {@code /} and {@code ..} resolved. */
  static String normalize(String name) {
    // Lexical, with ".." stopping at the top: symlink targets such as "../<id>/layer.tar".
    return String.join("/", RootedPath.clean(name));
  }
}
