package dev.jbuild.layerstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link dev.jbuild.layerstore.TempDir}: which scratch dirs under {@code tmp/} are
 * leftovers of dead processes (issue #10 item 3: older jbuilds kept secrets in tmp/run-*).
 */
class TempDirTest {
  @TempDir Path root;

  @Test
  void openDir_isNeverALeftover_andCloseDeletesIt() throws Exception {
    LayerStore store = LayerStore.open(root);
    Path dir;
    try (dev.jbuild.layerstore.TempDir t = store.newTempDir("run-")) {
      dir = t.path();
      Files.writeString(dir.resolve("script"), "#!/bin/sh\n");
      Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minusSeconds(3600)));
      assertEquals(List.of(), store.tempLeftovers());
    }
    assertFalse(Files.exists(dir));
  }

  /** A lock file nobody holds: its process died (kill -9) before closing the dir. */
  @Test
  void unlockedLock_isALeftover() throws Exception {
    LayerStore store = LayerStore.open(root);
    Path dead = Files.createDirectories(store.tmp().resolve("run-42"));
    Files.createFile(dead.resolve(".lock"));
    Files.writeString(dead.resolve("script"), "x");
    assertEquals(List.of(dead), store.tempLeftovers());
  }

  @Test
  void olderJbuildsUnlockedRunDir_isALeftoverOnceOld_othersAreLeftAlone() throws Exception {
    LayerStore store = LayerStore.open(root);
    Path old = Files.createDirectories(store.tmp().resolve("run-123"));
    Files.writeString(old.resolve("mount-0"), "secret");
    Path fresh = Files.createDirectories(store.tmp().resolve("run-456"));
    Path otherOld = Files.createDirectories(store.tmp().resolve("add-789"));
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(600)));
    Files.setLastModifiedTime(otherOld, FileTime.from(Instant.now().minusSeconds(600)));
    assertEquals(List.of(old), store.tempLeftovers());
    assertTrue(Files.exists(fresh));
  }
}
