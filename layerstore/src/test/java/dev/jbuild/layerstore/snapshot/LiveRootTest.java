package dev.jbuild.layerstore.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.diff.TreeSnapshot;
import dev.jbuild.layerstore.diff.WalkingDiffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link LiveRoot}: incremental application, wipes, kept host paths, locking. */
class LiveRootTest {
  @TempDir Path tmp;
  private ContentStore content;
  private Path root;
  private LiveRoot live;

  @BeforeEach
  void setUp() throws IOException {
    content = new ContentStore(tmp.resolve("store"));
    root = Files.createDirectories(tmp.resolve("root"));
    Files.createDirectories(root.resolve("proc"));
    Files.writeString(root.resolve("proc/host"), "host");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/hosts"), "127.0.0.1 host");
    live = new LiveRoot(root, List.of("proc", "etc/hosts"), content);
  }

  private Layer layer(String... nameContent) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "layer");
    for (int i = 0; i < nameContent.length; i += 2) {
      Path f = dir.resolve(nameContent[i]);
      Files.createDirectories(f.getParent());
      Files.writeString(f, nameContent[i + 1]);
    }
    return LayerDiffer.fromDirectory(dir, content);
  }

  /** A layer of raw tar entries: whiteouts cannot be made as files. */
  private Layer tarLayer(String... names) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (String name : names) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(0);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
      }
    }
    return LayerDiffer.fromTar(new java.io.ByteArrayInputStream(bytes.toByteArray()), content);
  }

  @Test
  void materialize_appliesOnlyTheMissingLayersWhenTheChainGrew() throws IOException {
    Layer a = layer("bin/a", "a");
    Layer b = layer("bin/b", "b");
    live.lock().lock();
    try {
      assertEquals(1, live.materialize(List.of(a)));
      assertEquals(1, live.materialize(List.of(a, b)));
      assertEquals(0, live.materialize(List.of(a, b)));
      assertEquals("a", Files.readString(root.resolve("bin/a")));
      assertEquals("b", Files.readString(root.resolve("bin/b")));
    } finally {
      live.lock().unlock();
    }
  }

  @Test
  void materialize_anotherChainWipesEverythingButKeptPaths() throws IOException {
    Layer a = layer("bin/a", "a", "etc/passwd", "root");
    Layer c = layer("opt/c", "c");
    live.lock().lock();
    try {
      live.materialize(List.of(a));
      Files.writeString(root.resolve("stray"), "left by a step");
      live.materialize(List.of(c));
      assertFalse(Files.exists(root.resolve("bin")));
      assertFalse(Files.exists(root.resolve("stray")));
      assertFalse(Files.exists(root.resolve("etc/passwd")));
      assertEquals("c", Files.readString(root.resolve("opt/c")));
      assertEquals("host", Files.readString(root.resolve("proc/host")));
      assertEquals("127.0.0.1 host", Files.readString(root.resolve("etc/hosts")));
    } finally {
      live.lock().unlock();
    }
  }

  @Test
  void layersNeverTouchKeptPaths() throws IOException {
    // An image that ships /etc/hosts, whites out /proc and makes /etc opaque.
    Layer hostile = tarLayer("etc/hosts", "etc/.wh..wh..opq", ".wh.proc", "etc/other");
    live.lock().lock();
    try {
      live.materialize(List.of(hostile));
    } finally {
      live.lock().unlock();
    }
    assertEquals("127.0.0.1 host", Files.readString(root.resolve("etc/hosts")));
    assertEquals("host", Files.readString(root.resolve("proc/host")));
    assertTrue(Files.exists(root.resolve("etc/other")));
  }

  @Test
  void aStepInTheRootIsDiffedByWalkingAndAdvancesTheChain() throws IOException {
    Layer a = layer("bin/a", "a", "bin/gone", "x");
    live.lock().lock();
    try {
      live.materialize(List.of(a));
      TreeSnapshot before = TreeSnapshot.take(root, live.keptPaths());
      Files.writeString(root.resolve("bin/new"), "new", StandardCharsets.UTF_8);
      Files.delete(root.resolve("bin/gone"));
      Files.writeString(root.resolve("proc/host"), "changed by the host");
      Optional<Layer> step = WalkingDiffer.diff(before, content);
      assertTrue(step.isPresent());
      live.advance(step.get());
      // The chain now includes the step: materializing it applies nothing.
      assertEquals(0, live.materialize(List.of(a, step.get())));
    } finally {
      live.lock().unlock();
    }
  }

  @Test
  void useWithoutTheLock_isRefused() {
    assertThrows(IllegalStateException.class, () -> live.materialize(List.of()));
  }
}
