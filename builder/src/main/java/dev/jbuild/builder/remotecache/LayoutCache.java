package dev.jbuild.builder.remotecache;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.cache.CacheConfig;
import dev.jbuild.builder.cache.CacheSource;
import dev.jbuild.layerstore.content.BlobWriter;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * A cache in an OCI image layout directory ({@code type=local}, for runners with a cache
 * volume): {@code oci-layout}, {@code index.json} naming the cache manifest (ref name {@code
 * latest}) and {@code blobs/sha256/}. Every blob read from it is checked against its digest, so a
 * damaged volume is a miss, never a wrong layer. An export adds blobs and replaces {@code
 * index.json} atomically; blobs of earlier exports stay (as BuildKit's local cache leaves them).
 */
final class LayoutCache implements CacheSource {
  private static final String REF_NAME = "org.opencontainers.image.ref.name";

  private final Path dir;
  private final CacheConfig config;

  private LayoutCache(Path dir, CacheConfig config) {
    this.dir = dir;
    this.config = config;
  }

  /**
   * Reads {@code dir}'s index, cache manifest and config.
   *
   * @throws IOException saying why it cannot be used (absent, not a cache, another version)
   */
  static LayoutCache open(Path dir) throws IOException {
    if (!Files.isRegularFile(dir.resolve("index.json"))) {
      throw new NoSuchFileException(dir + "/index.json", null, "no OCI layout there");
    }
    ImageIndex index = OciJson.fromBytes(Files.readAllBytes(dir.resolve("index.json")),
        ImageIndex.class);
    Descriptor manifestDescriptor = index.manifests().stream()
        .filter(d -> MediaTypes.isManifest(d.mediaType()))
        .findFirst().orElseThrow(() -> new IOException(dir + "/index.json names no manifest"));
    ImageManifest manifest = OciJson.fromBytes(readVerified(dir, manifestDescriptor),
        ImageManifest.class);
    if (!CacheConfig.MEDIA_TYPE.equals(manifest.config().mediaType())) {
      throw new IOException(dir + " holds no jbuild cache (config " + manifest.config()
          .mediaType() + ")");
    }
    CacheConfig config = CacheConfig.parse(readVerified(dir, manifest.config()));
    RegistryCache.checkVersion(config);
    return new LayoutCache(dir, config);
  }

  private static Path blob(Path dir, Digest digest) {
    return dir.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
  }

  private static byte[] readVerified(Path dir, Descriptor d) throws IOException {
    if (d.size() > 16 << 20) {
      throw new IOException("blob " + d.digest() + " is " + d.size() + " bytes");
    }
    byte[] bytes = Files.readAllBytes(blob(dir, d.digest()));
    if (bytes.length != d.size() || !Digest.sha256(bytes).equals(d.digest())) {
      throw new IOException("blob " + d.digest() + " in " + dir + " is corrupt");
    }
    return bytes;
  }

  @Override
  public String describe() {
    return "local " + dir;
  }

  @Override
  public CacheConfig config() {
    return config;
  }

  /** Copies the blob; the content store verifies digest and size on commit. */
  @Override
  public void fetch(Descriptor layer, ContentStore content) throws IOException {
    try (BlobWriter writer = content.newWriter();
        InputStream in = Files.newInputStream(blob(dir, layer.digest()))) {
      in.transferTo(writer.stream());
      writer.commit(layer.mediaType(), layer.digest(), layer.size());
    }
  }

  /** Writes {@code config} and its layers into the layout {@code dir}. */
  static void export(Path dir, CacheConfig config, List<Layer> layers, BuildCache cache,
      ContentStore content) throws IOException {
    cache.ensureLocal(layers);
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
