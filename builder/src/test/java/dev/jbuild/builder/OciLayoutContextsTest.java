package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.plan.NamedContext;
import dev.jbuild.builder.plan.PlanOptions;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --build-context NAME=oci-layout://…}: a layout is read by tag or digest into the store,
 * and a layout that lies (sizes, digests, DiffIDs, symlinked blobs, names that would escape
 * {@code blobs/}) is refused with one line naming the context and the layout, before anything of
 * it is stored as an image.
 */
class OciLayoutContextsTest {
  @TempDir Path tmp;
  private Path layout;
  private LayerStore store;
  private byte[] layer;
  private byte[] config;
  private byte[] manifest;
  private Descriptor manifestDescriptor;

  /** A one-layer image (an uncompressed tar with one file) in a layout, tagged v1. */
  @BeforeEach
  void layout() throws Exception {
    store = LayerStore.open(tmp.resolve("store"));
    layout = Files.createDirectories(tmp.resolve("layout/blobs/sha256")).getParent().getParent();
    layer = tar("hello", "hi\n");
    Digest layerDigest = Digest.sha256(layer);
    ImageConfig c = ImageConfig.scratch(Platform.host());
    c = new ImageConfig(c.created(), c.author(), c.architecture(), c.os(), c.variant(),
        c.config(), new ImageConfig.RootFs("layers", List.of(layerDigest)), c.history());
    config = OciJson.toBytes(c);
    Descriptor configD = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config),
        config.length);
    manifest = OciJson.toBytes(new ImageManifest(2, MediaTypes.OCI_MANIFEST, configD,
        List.of(Descriptor.of(MediaTypes.OCI_LAYER_TAR, layerDigest, layer.length)), Map.of()));
    manifestDescriptor = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest),
        manifest.length);
    for (byte[] blob : List.of(layer, config, manifest)) {
      Files.write(blob(Digest.sha256(blob)), blob);
    }
    index(manifestDescriptor.withAnnotations(Map.of("org.opencontainers.image.ref.name", "v1")));
  }

  private Path blob(Digest d) {
    return layout.resolve("blobs/sha256").resolve(d.hex());
  }

  private void index(Descriptor... entries) throws Exception {
    Files.write(layout.resolve("index.json"), OciJson.toBytes(ImageIndex.oci(List.of(entries))));
  }

  /** A tar with one regular file, mode 0644, owner 0:0, mtime 0. */
  private static byte[] tar(String name, String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    byte[] header = new byte[512];
    put(header, 0, name);
    put(header, 100, "0000644");
    put(header, 108, "0000000");
    put(header, 116, "0000000");
    put(header, 124, String.format("%011o", body.length));
    put(header, 136, "00000000000");
    header[156] = '0';
    put(header, 257, "ustar");
    put(header, 263, "00");
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
    int padded = (body.length + 511) / 512 * 512;
    byte[] out = new byte[512 + padded + 1024];
    System.arraycopy(header, 0, out, 0, 512);
    System.arraycopy(body, 0, out, 512, body.length);
    return out;
  }

  private static void put(byte[] b, int off, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, b, off, bytes.length);
  }

  private PlanOptions options(NamedContext context) {
    return new PlanOptions("Dockerfile", null, Platform.host(), Map.of(), null, false, Set.of(),
        Map.of("base", context));
  }

  private Image resolved(NamedContext context) throws Exception {
    NamedContext out = OciLayoutContexts.resolve(options(context), store).namedContext("base");
    NamedContext.Image image = (NamedContext.Image) out;
    return store.images().load(image.reference().digest());
  }

  private String refused(NamedContext context) {
    BuildException e = assertThrows(BuildException.class,
        () -> OciLayoutContexts.resolve(options(context), store));
    assertTrue(e.getMessage().startsWith("Tried to read the build context \"base\" from the OCI"
        + " layout " + layout + " but failed because: "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  @Test
  void readsByTagOrDigest_intoTheStore() throws Exception {
    Image byTag = resolved(new NamedContext.OciLayout(layout, "v1", null));
    assertEquals(manifestDescriptor.digest(), byTag.manifestDigest());
    assertTrue(store.content().contains(Digest.sha256(layer)));
    Image byDigest = resolved(new NamedContext.OciLayout(layout, null,
        manifestDescriptor.digest()));
    assertEquals(manifestDescriptor.digest(), byDigest.manifestDigest());
    // Other contexts pass through; with none, the options are the same object.
    PlanOptions none = new PlanOptions("Dockerfile", null, Platform.host(), Map.of(), null,
        false, Set.of());
    assertTrue(none == OciLayoutContexts.resolve(none, store));
  }

  @Test
  void missingTag_namesTheTagsThereAre() {
    assertTrue(refused(new NamedContext.OciLayout(layout, null, null))
        .contains("names no image latest (it names [v1])"));
  }

  @Test
  void indexThatLiesAboutTheManifestSize_isRefused() throws Exception {
    index(Descriptor.of(MediaTypes.OCI_MANIFEST, manifestDescriptor.digest(),
        manifest.length - 1).withAnnotations(Map.of("org.opencontainers.image.ref.name", "v1")));
    assertTrue(refused(new NamedContext.OciLayout(layout, "v1", null))
        .contains("does not match its digest"));
  }

  @Test
  void blobThatIsNotWhatItsDigestSays_isRefused() throws Exception {
    // Same length, one byte changed: only the digest can tell.
    byte[] changed = manifest.clone();
    changed[changed.length - 1] = (byte) ' ';
    Files.write(blob(manifestDescriptor.digest()), changed);
    refused(new NamedContext.OciLayout(layout, "v1", null));
    refused(new NamedContext.OciLayout(layout, null, manifestDescriptor.digest()));
    assertFalse(store.content().contains(manifestDescriptor.digest()));
  }

  @Test
  void layerThatIsLongerOrOtherThanTheManifestSays_isNotStored() throws Exception {
    Digest layerDigest = Digest.sha256(layer);
    byte[] longer = java.util.Arrays.copyOf(layer, layer.length + 512);
    Files.write(blob(layerDigest), longer);
    assertTrue(refused(new NamedContext.OciLayout(layout, "v1", null)).contains("longer than"));
    byte[] other = tar("hello", "ho\n");
    Files.write(blob(layerDigest), other);
    refused(new NamedContext.OciLayout(layout, "v1", null));
    assertFalse(store.content().contains(layerDigest));
  }

  @Test
  void layerWhoseDiffIdIsNotTheConfigs_isRefused() throws Exception {
    // A valid layer blob, listed with its true digest and size, whose DiffID is not the one the
    // config names.
    byte[] other = tar("other", "x\n");
    Digest otherDigest = Digest.sha256(other);
    Files.write(blob(otherDigest), other);
    ImageManifest m = OciJson.fromBytes(manifest, ImageManifest.class);
    byte[] lying = OciJson.toBytes(new ImageManifest(2, MediaTypes.OCI_MANIFEST, m.config(),
        List.of(Descriptor.of(MediaTypes.OCI_LAYER_TAR, otherDigest, other.length)), Map.of()));
    Digest lyingDigest = Digest.sha256(lying);
    Files.write(blob(lyingDigest), lying);
    assertTrue(refused(new NamedContext.OciLayout(layout, null, lyingDigest))
        .contains(otherDigest.toString()));
    assertTrue(store.images().resolve(dev.jbuild.layerstore.oci.ImageReference.parse(
        "x@" + lyingDigest)).isEmpty());
  }

  @Test
  void symlinkedBlobOrBlobsDir_isRefused() throws Exception {
    // A blob that points outside the layout, even at the right bytes, is not read.
    Path outside = tmp.resolve("outside-manifest");
    Files.write(outside, manifest);
    Files.delete(blob(manifestDescriptor.digest()));
    Files.createSymbolicLink(blob(manifestDescriptor.digest()), outside);
    assertTrue(refused(new NamedContext.OciLayout(layout, "v1", null))
        .contains("is a symbolic link"));
    // blobs/ itself a link to another directory.
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/sha256"));
    Files.move(layout.resolve("blobs"), tmp.resolve("moved-blobs"));
    Files.createSymbolicLink(layout.resolve("blobs"), elsewhere.getParent());
    assertTrue(refused(new NamedContext.OciLayout(layout, "v1", null))
        .contains("blobs is a symbolic link"));
  }

  @Test
  void indexEntryWhoseDigestWouldEscapeBlobs_isRefused() throws Exception {
    // Not a digest: the index does not parse, so no path is made of it.
    Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{"
        + "\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"sha256:../../../etc/"
        + "passwd\",\"size\":10,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}");
    assertTrue(refused(new NamedContext.OciLayout(layout, "v1", null)).contains("digest"));
    // Another algorithm names another directory: refused, not looked up.
    Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{"
        + "\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"sha512:" + "ab".repeat(64)
        + "\",\"size\":10,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}");
    assertTrue(refused(new NamedContext.OciLayout(layout, "v1", null))
        .contains("only sha256 blobs"));
  }

  @Test
  void hugeClaimedSize_isRefusedBeforeReading() throws Exception {
    index(Descriptor.of(MediaTypes.OCI_MANIFEST, manifestDescriptor.digest(), 1L << 40)
        .withAnnotations(Map.of("org.opencontainers.image.ref.name", "v1")));
    assertTrue(refused(new NamedContext.OciLayout(layout, "v1", null)).contains("claims"));
  }
}
