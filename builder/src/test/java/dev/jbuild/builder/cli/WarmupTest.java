package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Warmup}: it runs for builds only, has no effect anyone can see (no files, the same JSON
 * bytes), and running it while the main thread uses the store at the same time changes nothing
 * (the shared mapper's caches filled from two threads at once).
 */
class WarmupTest {
  @TempDir Path work;

  @Test
  void helps_buildsOnly() {
    assertTrue(Warmup.helps(Main.commandsToModel(Main.withImplicitBuild(
        new String[] {"-t", "x", "."}))));
    assertTrue(Warmup.helps(Main.commandsToModel(new String[] {"--debug", "build", "."})));
    for (String[] line : new String[][] {{"--version"}, {"images"}, {"push", "a"}, {"--help"},
        {}, {"help", "build"}}) {
      assertFalse(Warmup.helps(Main.commandsToModel(Main.withImplicitBuild(line))),
          String.join(" ", line));
    }
  }

  @Test
  void run_writesNothing_andLeavesTheJsonBytesAsTheyWere() throws Exception {
    ImageConfig config = ImageConfig.scratch(Platform.host()).withCreated("2026-12-02T00:00:00Z");
    byte[] before = OciJson.toBytes(config);
    String home = System.getProperty("user.home");
    Set<String> tmpBefore = names(Path.of(System.getProperty("java.io.tmpdir")));
    Warmup.run();
    Warmup.run(); // twice: everything it touches is already made
    assertArrayEquals(before, OciJson.toBytes(config));
    assertEquals(config, OciJson.fromBytes(before, ImageConfig.class));
    assertEquals(home, System.getProperty("user.home"));
    Set<String> tmpAfter = names(Path.of(System.getProperty("java.io.tmpdir")));
    tmpAfter.removeAll(tmpBefore);
    tmpAfter.removeIf(n -> n.startsWith("junit")); // other tests' @TempDirs, in parallel
    assertEquals(Set.of(), tmpAfter, "files the warm-up left in the temp directory");
  }

  private static Set<String> names(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return new java.util.HashSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }

  /**
   * Attack: stores written and read by several threads while warm-ups run beside them, each in
   * a fresh store, give the same image IDs, tags and bytes as one thread alone.
   */
  @Test
  void concurrentWithTheStore_givesTheSameImages() throws Exception {
    Image alone = writeAndRead(work.resolve("alone"), 0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int n = i + 1;
        runs.add(pool.submit((Callable<Object>) () -> {
          Warmup.run();
          return null;
        }));
        runs.add(pool.submit(() -> writeAndRead(work.resolve("s" + n), n)));
      }
      for (Future<?> f : runs) {
        Object r = f.get();
        if (r instanceof Image image) {
          assertEquals(alone.id(), image.id());
          assertArrayEquals(alone.configBytes(), image.configBytes());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Image writeAndRead(Path root, int n) throws Exception {
    LayerStore store = LayerStore.open(root);
    ImageConfig config = ImageConfig.scratch(Platform.host()).withCreated("2026-12-02T00:00:00Z");
    Image image = store.images().write(config, List.of());
    ImageReference ref = ImageReference.parse("warm/t" + n + ":v1");
    store.images().tag(ref, image.manifestDescriptor());
    Image read = store.images().load(store.images().resolve(ref).orElseThrow().digest());
    return read;
  }
}
