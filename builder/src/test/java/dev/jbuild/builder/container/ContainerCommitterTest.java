package dev.jbuild.builder.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarStreams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link ContainerCommitter} on a real store (no root needed): the container's
 * upperdir becomes a layer on its image, with the container's config and a history entry.
 */
class ContainerCommitterTest {
  private static final Instant NOW = Instant.parse("2024-05-06T07:08:09Z");

  @TempDir Path tmp;
  private LayerStore store;
  private ContainerStore containers;
  private Image base;

  @BeforeEach
  void store() throws IOException {
    store = LayerStore.open(tmp.resolve("store"));
    containers = new ContainerStore(tmp.resolve("store"));
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs/etc"));
    Files.writeString(rootfs.resolve("os-release"), "ID=test\n");
    base = new RootfsImporter(store).importRootfs(tmp.resolve("rootfs"),
        Platform.parse("linux/amd64"), "test rootfs");
  }

  private ContainerStore.Record container() throws IOException {
    return containers.create("base", base.manifestDigest().toString(), base.id().toString(),
        List.of(), List.of("sh", "-c", "echo hi > /hi"), List.of("PATH=/bin", "X=1"), "/work",
        "1000");
  }

  @Test
  void commit_addsTheUpperdirAsALayer_withTheContainersConfig() throws Exception {
    ContainerStore.Record record = container();
    Path upper = containers.upperDir(record);
    Files.writeString(upper.resolve("hi"), "hi\n");
    Files.createDirectories(upper.resolve("etc"));
    whiteout(upper.resolve("etc/os-release"));

    Image image = new ContainerCommitter(store, containers).commit(record, "me", "msg", NOW);

    assertEquals(base.layers().size() + 1, image.layers().size());
    List<String> entries = names(image.layers().get(image.layers().size() - 1));
    assertEquals(List.of("etc/", "etc/.wh.os-release", "hi"), entries);
    ImageConfig config = image.config();
    assertEquals("me", config.author());
    assertEquals(NOW.toString(), config.created());
    assertEquals(List.of("sh", "-c", "echo hi > /hi"), config.containerConfig().cmd());
    assertNull(config.containerConfig().entrypoint());
    assertEquals(List.of("PATH=/bin", "X=1"), config.containerConfig().env());
    assertEquals("/work", config.containerConfig().workingDir());
    assertEquals("1000", config.containerConfig().user());
    ImageConfig.History last = config.history().get(config.history().size() - 1);
    assertEquals("sh -c echo hi > /hi", last.createdBy());
    assertEquals("msg", last.comment());
    assertEquals(false, last.isEmptyLayer());
  }

  @Test
  void commit_withoutChanges_addsAnEmptyLayerHistoryEntry() throws Exception {
    Image image = new ContainerCommitter(store, containers).commit(container(), null, null, NOW);
    assertEquals(base.layers(), image.layers());
    ImageConfig.History last = image.config().history().get(image.config().history().size() - 1);
    assertTrue(last.isEmptyLayer());
    assertEquals(base.config().author(), image.config().author());
  }

  @Test
  void commit_ofAContainerWhoseImageIsGone_saysSo() throws Exception {
    ContainerStore.Record record = containers.create("gone", "sha256:" + "0".repeat(64),
        base.id().toString(), List.of(), List.of("true"), List.of(), "/", "");
    IOException e = assertThrows(IOException.class,
        () -> new ContainerCommitter(store, containers).commit(record, null, null, NOW));
    assertEquals("Tried to commit container " + record.shortId() + " but failed because: its "
        + "image gone is no longer in the store", e.getMessage());
  }

  /** A whiteout as the kernel makes it, or (without CAP_MKNOD) as a userxattr overlay does. */
  private static void whiteout(Path path) throws IOException {
    try {
      Posix.mkwhiteout(path);
    } catch (IOException notRoot) {
      Files.createFile(path);
      Posix.lsetxattr(path, "user.overlay.whiteout", new byte[0]);
    }
  }

  private List<String> names(Layer layer) throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream blob = store.content().open(layer.blob());
        TarReader tar = new TarReader(TarStreams.decompress(blob))) {
      for (TarEntry e = tar.next(); e != null; e = tar.next()) {
        names.add(e.isDirectory() && !e.name().endsWith("/") ? e.name() + "/" : e.name());
      }
    }
    return names;
  }
}
