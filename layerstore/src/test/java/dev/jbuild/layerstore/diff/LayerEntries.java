package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Reads a stored layer back as one line per tar entry, for comparing layers in tests. */
final class LayerEntries {
  private LayerEntries() {}

  /**
   * The entries of {@code layer} in tar order, each as {@code name type mode uid:gid mtime
   * link dev xattrs content}; content is the text for short files, else its sha256.
   */
  static List<String> of(Layer layer, ContentStore store) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    try (InputStream blob = store.open(layer.blob())) {
      new GZIPInputStream(blob).transferTo(tar);
    }
    if (!layer.diffId().equals(Digest.sha256(tar.toByteArray()))) {
      throw new AssertionError("DiffID does not match the uncompressed tar");
    }
    List<String> lines = new ArrayList<>();
    TarReader reader = new TarReader(new ByteArrayInputStream(tar.toByteArray()));
    TarEntry e;
    while ((e = reader.next()) != null) {
      byte[] content = reader.content().readAllBytes();
      StringBuilder xattrs = new StringBuilder();
      for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
        xattrs.append(x.getKey()).append('=').append(HexFormat.of().formatHex(x.getValue()))
            .append(',');
      }
      String text = content.length <= 32 ? new String(content, StandardCharsets.UTF_8)
          : Digest.sha256(content).toString();
      lines.add(e.name() + " " + e.type() + " " + Integer.toOctalString(e.mode()) + " " + e.uid()
          + ":" + e.gid() + " " + e.mtime() + " " + e.linkName() + " " + e.devMajor() + ","
          + e.devMinor() + " [" + xattrs + "] " + text);
    }
    return lines;
  }

  /** Just the names, in tar order. */
  static List<String> names(Layer layer, ContentStore store) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    try (InputStream blob = store.open(layer.blob())) {
      new GZIPInputStream(blob).transferTo(tar);
    }
    List<String> names = new ArrayList<>();
    TarReader reader = new TarReader(new ByteArrayInputStream(tar.toByteArray()));
    TarEntry e;
    while ((e = reader.next()) != null) {
      names.add(e.name());
    }
    return names;
  }
}
