package dev.jbuild.layerstore.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.layout.TestImage;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild load} of hostile OCI archives: descriptors that lie about sizes are refused (the
 * blobs' own digests are right, so only the sizes tell), and nothing is stored as an image.
 */
class ArchiveLoaderOciAttackTest {
  private static final Map<String, String> TAG =
      Map.of("io.containerd.image.name", "example.com/lie:1");
  @TempDir Path tmp;

  private IOException refused(byte[] archive) throws IOException {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    IOException e = assertThrows(IOException.class,
        () -> new ArchiveLoader(store).load(new ByteArrayInputStream(archive)));
    assertTrue(e.getMessage().startsWith("Tried to load"), e.getMessage());
    assertTrue(store.images().list().isEmpty());
    return e;
  }

  @Test
  void honestArchive_loads() throws IOException {
    TestImage image = new TestImage(0);
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    List<LoadedImage> loaded = new ArchiveLoader(store).load(new ByteArrayInputStream(
        image.archive(TestImage.index(image.manifestDescriptor.withAnnotations(TAG)))));
    assertEquals(image.manifestDescriptor.digest(), loaded.get(0).image().manifestDigest());
  }

  @Test
  void indexThatLiesAboutTheManifestSize_isRefused() throws IOException {
    TestImage image = new TestImage(0);
    Descriptor lying = Descriptor.of(MediaTypes.OCI_MANIFEST, image.manifestDescriptor.digest(),
        image.manifest.length - 1).withAnnotations(TAG);
    assertTrue(refused(image.archive(TestImage.index(lying))).getMessage()
        .contains("does not match its digest and size"));
  }

  @Test
  void manifestThatLiesAboutALayerSize_isRefused() throws IOException {
    // A manifest stored with a wrong layer size would be pushed as it is and fail elsewhere.
    TestImage image = new TestImage(+1);
    assertTrue(refused(image.archive(TestImage.index(
        image.manifestDescriptor.withAnnotations(TAG)))).getMessage()
        .contains("its descriptor says " + (image.layer.length + 1)));
  }

  @Test
  void hugeClaimedManifestSize_isRefusedBeforeReading() throws IOException {
    TestImage image = new TestImage(0);
    Descriptor lying = Descriptor.of(MediaTypes.OCI_MANIFEST, image.manifestDescriptor.digest(),
        1L << 40).withAnnotations(TAG);
    assertTrue(refused(image.archive(TestImage.index(lying))).getMessage().contains("claims"));
  }
}
