package dev.jbuild.layerstore.content;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named sets of digests that garbage collection must keep besides what tags reference, stored
 * as one small JSON file per name in {@code root/gc/roots/} (atomic writes). A digest may name any
 * blob; if it names a manifest or index, everything it references is kept too.
 *
 * <p>Names starting with {@value #BUILD_CACHE_PREFIX} are build cache: {@code jbuild prune --all}
 * drops them. The builder records a cache entry's layers and configs as {@code cache/<key>}, so a
 * plain prune keeps them and {@code --all} reclaims them. Thread-safe and safe across processes.
 */
public final class GcRoots {
  /** The name prefix of build cache roots. */
  public static final String BUILD_CACHE_PREFIX = "cache/";

  private static final TypeReference<List<Digest>> LIST = new TypeReference<>() {};

  private final Path dir;

  /** Roots stored in {@code storeRoot/gc/roots}. */
  public GcRoots(Path storeRoot) throws IOException {
    this.dir = storeRoot.resolve("gc/roots");
    Files.createDirectories(dir);
  }

  /** Sets (replaces) the digests kept under {@code name}. */
  public void put(String name, List<Digest> digests) throws IOException {
    FileLocks.writeAtomically(file(name), OciJson.toBytes(List.copyOf(digests)));
  }

  /** Removes a root; returns true if it existed. */
  public boolean remove(String name) throws IOException {
    return Files.deleteIfExists(file(name));
  }

  /** Every root by name (sorted); damaged files count as empty roots. */
  public Map<String, List<Digest>> list() throws IOException {
    Map<String, List<Digest>> roots = new TreeMap<>();
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String encoded = f.getFileName().toString();
        if (!encoded.matches("([0-9a-f]{2})+")) {
          continue;
        }
        String name = new String(HexFormat.of().parseHex(encoded), StandardCharsets.UTF_8);
        try {
          roots.put(name, OciJson.mapper().readValue(Files.readAllBytes(f), LIST));
        } catch (NoSuchFileException e) {
          // removed meanwhile
        } catch (IOException | RuntimeException e) {
          roots.put(name, new ArrayList<>());
        }
      }
    }
    return roots;
  }

  private Path file(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a GC root needs a name");
    }
    // Hex keeps any name (slashes included) a single safe file name.
    return dir.resolve(HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8)));
  }
}
