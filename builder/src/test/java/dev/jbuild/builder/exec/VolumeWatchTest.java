package dev.jbuild.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link VolumeWatch}. */
class VolumeWatchTest {
  @TempDir Path root;

  @Test
  void changed_namesTheVolumesWhoseTopChanged() throws Exception {
    for (String d : List.of("out", "quiet", "store", "deep/sub")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.writeString(root.resolve("config.json"), "{}");
    VolumeWatch watch = VolumeWatch.start(root, List.of("out", "quiet", "store", "config.json",
        "deep"), List.of(root.resolve("store/blobs")));
    Files.writeString(root.resolve("out/new"), "x");
    Files.writeString(root.resolve("store/blob"), "jbuild's own write");
    Files.writeString(root.resolve("config.json"), "{\"auths\":{}}");
    Files.writeString(root.resolve("unwatched"), "x");
    assertEquals(List.of("/out", "/config.json"), watch.changed());
  }

  @Test
  void changed_seesRemovalsAndAVanishedVolume() throws Exception {
    Files.createDirectories(root.resolve("a/old"));
    Files.createDirectories(root.resolve("b"));
    VolumeWatch watch = VolumeWatch.start(root, List.of("a", "b"), List.of());
    Files.delete(root.resolve("a/old"));
    Files.delete(root.resolve("b"));
    assertEquals(List.of("/a", "/b"), watch.changed());
  }

  @Test
  void changed_isEmptyWhenNothingWasWritten_orOnlyDeepInside() throws Exception {
    Files.createDirectories(root.resolve("v/sub"));
    Files.writeString(root.resolve("v/sub/f"), "1");
    VolumeWatch watch = VolumeWatch.start(root, List.of("v", "missing"), List.of());
    // The documented limit: a write to an existing file below the top is not seen (no walk).
    Files.writeString(root.resolve("v/sub/f"), "2");
    assertEquals(List.of(), watch.changed());
  }

  @Test
  void warning_oneLineForOneOrMoreVolumes() {
    assertNull(VolumeWatch.warning("[2/3] RUN x", List.of()));
    assertEquals("WARN: [2/3] RUN x: RUN wrote to /out, which is a volume of the executor"
        + " container; those changes are not part of the image",
        VolumeWatch.warning("[2/3] RUN x", List.of("/out")));
    assertEquals("WARN: [2/3] RUN x: RUN wrote to /a, /b and /c, which are volumes of the"
        + " executor container; those changes are not part of the image",
        VolumeWatch.warning("[2/3] RUN x", List.of("/a", "/b", "/c")));
  }
}
