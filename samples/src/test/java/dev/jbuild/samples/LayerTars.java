package dev.jbuild.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
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
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** Reads a saved docker archive back: its manifest.json and the entries of each layer tar. */
final class LayerTars {
  private LayerTars() {}

  /** Layer entry names per layer, in archive order ({@code manifest.json} order). */
  static List<List<String>> layerEntries(Path archive) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile()) {
          files.put(e.getName(), tar.readAllBytes());
        }
      }
    }
    byte[] manifestJson = files.get("manifest.json");
    if (manifestJson == null) {
      throw new AssertionError("no manifest.json in " + archive + ": " + files.keySet());
    }
    JsonNode manifest = new ObjectMapper().readTree(manifestJson).get(0);
    List<List<String>> layers = new ArrayList<>();
    for (JsonNode layer : manifest.get("Layers")) {
      byte[] blob = files.get(layer.asText());
      if (blob == null) {
        throw new AssertionError("layer " + layer.asText() + " missing from the archive");
      }
      layers.add(entries(new ByteArrayInputStream(blob)));
    }
    return layers;
  }

  /** Every layer of the archive, decompressed. */
  static List<byte[]> uncompressedLayers(Path archive) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile() && e.getName().startsWith("blobs/")) {
          byte[] blob = tar.readAllBytes();
          if (blob.length > 2 && (blob[0] & 0xff) == 0x1f && (blob[1] & 0xff) == 0x8b) {
            try (InputStream in = new GzipCompressorInputStream(new ByteArrayInputStream(blob))) {
              out.add(in.readAllBytes());
            }
          } else {
            out.add(blob);
          }
        }
      }
    }
    return out;
  }

  private static List<String> entries(InputStream blob) throws IOException {
    InputStream in = new BufferedInputStream(blob);
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) {
      in = new GzipCompressorInputStream(in);
    }
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        names.add(e.getName());
      }
    }
    return names;
  }
}
