package dev.jbuild.layerstore.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OciLayoutReader}: reads a layout directory or an archive's blobs into a store, and
 * refuses layouts that are links, FIFOs, too large, nested too deep or that lie about sizes.
 * (Digests, DiffIDs and escaping names are also attacked through its three users' tests:
 * {@code OciLayoutContextsTest}, {@code LayoutCacheAttackTest}, {@code ArchiveLoaderOciAttackTest}.)
 */
class OciLayoutReaderTest {
  @TempDir Path tmp;
  private TestImage image;
  private LayerStore store;

  @BeforeEach
  void image() throws IOException {
    image = new TestImage(0);
    store = LayerStore.open(tmp.resolve("store"));
  }

  private IOException refused(Path layout) {
    return assertThrows(IOException.class, () -> {
      OciLayoutReader r = OciLayoutReader.directory(layout, OciLayoutReader.MAX_JSON);
      Descriptor m = r.manifestFor(r.index().manifests().get(0), Platform.host());
      r.importImage(m, store.content(), store.images());
    });
  }

  @Test
  void layoutDirectory_importsTheImage() throws IOException {
    Path layout = image.writeLayout(tmp.resolve("layout"), TestImage.index(
        image.manifestDescriptor));
    OciLayoutReader r = OciLayoutReader.directory(layout, OciLayoutReader.MAX_JSON);
    assertEquals(image.manifestDescriptor.digest(),
        r.importImage(r.index().manifests().get(0), store.content(), store.images())
            .manifestDigest());
    assertTrue(store.content().contains(image.layerDescriptor.digest()));
    assertEquals(image.manifestDescriptor.mediaType(),
        r.describe(image.manifestDescriptor.digest()).mediaType());
  }

  @Test
  void absentLayout_isNoSuchFile() {
    assertThrows(NoSuchFileException.class,
        () -> OciLayoutReader.directory(tmp.resolve("absent"), OciLayoutReader.MAX_JSON));
  }

  @Test
  void fifoBlob_isRefusedWithoutOpeningIt() throws Exception {
    // Opening a FIFO blocks until a writer comes: the reader must not even open it.
    Path layout = image.writeLayout(tmp.resolve("layout"), TestImage.index(
        image.manifestDescriptor));
    Path blob = layout.resolve("blobs/sha256").resolve(image.manifestDescriptor.digest().hex());
    Files.delete(blob);
    Process mkfifo = new ProcessBuilder("mkfifo", blob.toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor());
    assertTrue(refused(layout).getMessage().contains("not a regular file"));
  }

  @Test
  void symlinkedIndexOrBlobDir_isRefused() throws IOException {
    Path layout = image.writeLayout(tmp.resolve("layout"), TestImage.index(
        image.manifestDescriptor));
    Path outside = Files.move(layout.resolve("index.json"), tmp.resolve("index.json"));
    Files.createSymbolicLink(layout.resolve("index.json"), outside);
    assertTrue(refused(layout).getMessage().contains("index.json is a symbolic link"));
    Files.delete(layout.resolve("index.json"));
    Files.move(outside, layout.resolve("index.json"));
    Path blobs = Files.move(layout.resolve("blobs/sha256"), tmp.resolve("elsewhere"));
    Files.createSymbolicLink(layout.resolve("blobs/sha256"), blobs);
    assertTrue(refused(layout).getMessage().contains("is a symbolic link"));
  }

  @Test
  void indexLargerThanTheBound_isRefusedUnparsed() throws IOException {
    Path layout = image.writeLayout(tmp.resolve("layout"), TestImage.index(
        image.manifestDescriptor));
    IOException e = assertThrows(IOException.class,
        () -> OciLayoutReader.directory(layout, 64).index());
    assertEquals("index.json is larger than 64 bytes", e.getMessage());
  }

  @Test
  void indexesNestedTooDeep_areRefused() throws IOException {
    Descriptor d = image.manifestDescriptor;
    for (int i = 0; i <= OciLayoutReader.MAX_NESTING; i++) {
      byte[] nested = TestImage.index(d);
      image.blobs.put(Digest.sha256(nested), nested);
      d = Descriptor.of(MediaTypes.OCI_INDEX, Digest.sha256(nested), nested.length);
    }
    Path layout = image.writeLayout(tmp.resolve("layout"), TestImage.index(d));
    assertTrue(refused(layout).getMessage().contains("nest more than"));
    // One level less is read.
    OciLayoutReader r = OciLayoutReader.directory(layout, OciLayoutReader.MAX_JSON);
    byte[] top = r.readJson(d);
    Descriptor below = dev.jbuild.layerstore.oci.OciJson.fromBytes(top,
        dev.jbuild.layerstore.oci.ImageIndex.class).manifests().get(0);
    assertEquals(image.manifestDescriptor, r.manifestFor(below, Platform.host()));
  }

  @Test
  void entryThatIsNeitherManifestNorIndex_isRefused() throws IOException {
    Path layout = image.writeLayout(tmp.resolve("layout"),
        TestImage.index(image.layerDescriptor));
    assertTrue(refused(layout).getMessage().contains("not an image manifest or index"));
  }

  @Test
  void blobTheStoreHoldsWithAnotherSize_isRefused() throws IOException {
    // The store's copy is right; the layout's descriptor lies about its size.
    store.content().put(MediaTypes.OCI_LAYER_TAR, image.layer);
    Path layout = image.writeLayout(tmp.resolve("layout"), TestImage.index(
        image.manifestDescriptor));
    OciLayoutReader r = OciLayoutReader.directory(layout, OciLayoutReader.MAX_JSON);
    Descriptor lying = Descriptor.of(MediaTypes.OCI_LAYER_TAR, image.layerDescriptor.digest(),
        image.layer.length + 1);
    IOException e = assertThrows(IOException.class, () -> r.copy(lying, store.content()));
    assertTrue(e.getMessage().contains("its descriptor says"), e.getMessage());
  }

  @Test
  void archiveBlobsComeFromTheStore_andAbsentOnesAreNamed() throws IOException {
    OciLayoutReader r = OciLayoutReader.archive(TestImage.index(image.manifestDescriptor),
        store.content(), OciLayoutReader.MAX_JSON);
    IOException e = assertThrows(IOException.class,
        () -> r.importImage(r.index().manifests().get(0), store.content(), store.images()));
    assertEquals("blob " + image.manifestDescriptor.digest() + " is not in the archive",
        e.getMessage());
    for (byte[] blob : image.blobs.values()) {
      store.content().put("application/octet-stream", blob);
    }
    assertEquals(image.manifestDescriptor.digest(), r.importImage(
        r.index().manifests().get(0), store.content(), store.images()).manifestDigest());
    assertTrue(store.images().list().isEmpty()); // stored, not tagged
  }
}
