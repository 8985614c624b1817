package dev.jbuild.builder.remotecache;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.cache.CacheConfig;
import dev.jbuild.builder.cache.CacheSource;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.layout.OciLayoutReader;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * A cache in an OCI image layout directory ({@code type=local}, for runners with a cache
 * volume): {@code oci-layout}, {@code index.json} naming the cache manifest (ref name {@code
 * latest}) and {@code blobs/sha256/}. It is read by {@link OciLayoutReader}: every blob is checked
 * against its size and digest and none may be a symbolic link, so a damaged or hostile volume is
 * a miss, never a wrong layer or a file from outside it. An export adds blobs and replaces {@code
 * index.json} atomically; blobs of earlier exports stay (as BuildKit's local cache leaves them).
 */
final class LayoutCache implements CacheSource {
  private static final String REF_NAME = OciLayoutReader.REF_NAME;
  /** Cache configs list every entry, so they may be larger than an image's JSON. */
  private static final int MAX_JSON = 16 << 20;

  private final Path dir;
  private final OciLayoutReader reader;
  private final CacheConfig config;

  private LayoutCache(Path dir, OciLayoutReader reader, CacheConfig config) {
    this.dir = dir;
    this.reader = reader;
    this.config = config;
  }

  /**
   * Reads {@code dir}'s index, cache manifest and config, by {@link OciLayoutReader}'s rules.
   *
   * @throws IOException saying why it cannot be used (absent, not a cache, another version, a
   *     file that is a symbolic link or does not match its digest)
   */
  static LayoutCache open(Path dir) throws IOException {
    OciLayoutReader reader = OciLayoutReader.directory(dir, MAX_JSON);
    Descriptor manifestDescriptor = reader.index().manifests().stream()
        .filter(d -> MediaTypes.isManifest(d.mediaType()))
        .findFirst().orElseThrow(() -> new IOException(dir + "/index.json names no manifest"));
    ImageManifest manifest = reader.readJson(manifestDescriptor, ImageManifest.class);
    if (!CacheConfig.MEDIA_TYPE.equals(manifest.config().mediaType())) {
      throw new IOException(dir + " holds no jbuild cache (config " + manifest.config()
          .mediaType() + ")");
    }
    CacheConfig config = CacheConfig.parse(reader.readJson(manifest.config()));
    RegistryCache.checkVersion(config);
    return new LayoutCache(dir, reader, config);
  }

  private static Path blob(Path dir, Digest digest) {
    return dir.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
  }

  @Override
  public String describe() {
    return "local " + dir;
  }

  @Override
  public CacheConfig config() {
    return config;
  }

  /** Copies the blob, bounded by its size; the content store verifies it on commit. */
  @Override
  public void fetch(Descriptor layer, ContentStore content) throws IOException {
    reader.copy(layer, content);
  }

  /** Writes {@code config} and its layers into the layout {@code dir}. */
  static void export(Path dir, CacheConfig config, List<Layer> layers, BuildCache cache,
      ContentStore content) throws IOException {
    cache.ensureLocal(layers);
    for (Path p : List.of(dir.resolve("blobs"), dir.resolve("blobs").resolve("sha256"))) {
      // Blobs are written where the reader will look for them, never through a link elsewhere.
      if (Files.isSymbolicLink(p)) {
        throw new IOException(dir.relativize(p) + " is a symbolic link");
      }
    }
    Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
    writeAtomically(dir.resolve("oci-layout"),
        "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
    for (Layer layer : layers) {
      Path target = blob(dir, layer.blob().digest());
      if (!Files.exists(target)) {
        Path tmp = Files.createTempFile(target.getParent(), ".blob-", ".tmp");
        try (InputStream in = content.open(layer.blob().digest())) {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    }
    byte[] configBytes = config.toBytes();
    Descriptor configDescriptor = Descriptor.of(CacheConfig.MEDIA_TYPE,
        Digest.sha256(configBytes), configBytes.length);
    writeAtomically(blob(dir, configDescriptor.digest()), configBytes);
    byte[] manifestBytes = OciJson.toBytes(config.manifest(configDescriptor));
    Descriptor manifestDescriptor = Descriptor.of(MediaTypes.OCI_MANIFEST,
        Digest.sha256(manifestBytes), manifestBytes.length)
        .withAnnotations(Map.of(REF_NAME, "latest"));
    writeAtomically(blob(dir, manifestDescriptor.digest()), manifestBytes);
    writeAtomically(dir.resolve("index.json"),
        OciJson.toBytes(ImageIndex.oci(List.of(manifestDescriptor))));
  }

  private static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), ".write-", ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
