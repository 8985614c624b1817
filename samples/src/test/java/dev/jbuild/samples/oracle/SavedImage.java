package dev.jbuild.samples.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * One image read back from a {@code docker save} / {@code jbuild save} archive: its config JSON
 * and the entries of each layer, in rootfs order.
 */
record SavedImage(JsonNode config, List<Map<String, TarTree.Entry>> layers) {
  static SavedImage read(Path archive) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    try (InputStream raw = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile()) {
          files.put(TarTree.normalize(e.getName()), tar.readAllBytes());
        }
      }
    }
    ObjectMapper json = new ObjectMapper();
    byte[] manifestBytes = files.get("manifest.json");
    if (manifestBytes == null) {
      throw new IOException("no manifest.json in " + archive);
    }
    JsonNode manifest = json.readTree(manifestBytes).get(0);
    JsonNode config = json.readTree(need(files, manifest.get("Config").asText(), archive));
    List<Map<String, TarTree.Entry>> layers = new ArrayList<>();
    for (JsonNode layer : manifest.get("Layers")) {
      layers.add(TarTree.read(new ByteArrayInputStream(need(files, layer.asText(), archive))));
    }
    return new SavedImage(config, layers);
  }

  private static byte[] need(Map<String, byte[]> files, String name, Path archive)
      throws IOException {
    byte[] b = files.get(TarTree.normalize(name));
    if (b == null) {
      throw new IOException(name + " missing from " + archive);
    }
    return b;
  }

  /** History entries that produced a layer, i.e. without {@code empty_layer: true}. */
  List<String> layerCreators() {
    List<String> out = new ArrayList<>();
    for (JsonNode h : config.path("history")) {
      if (!h.path("empty_layer").asBoolean(false)) {
        out.add(h.path("created_by").asText(h.path("comment").asText("")));
      }
    }
    return out;
  }
}
