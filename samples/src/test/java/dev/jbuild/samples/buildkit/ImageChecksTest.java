package dev.jbuild.samples.buildkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image checks of the BuildKit suite fail when they should, with a message naming the line
 * (a check that cannot fail would pass every case): an image imported from a tiny rootfs, no root
 * and no build needed.
 */
class ImageChecksTest {
  private static final long MTIME = 1600000000L;

  @TempDir Path tmp;

  @Test
  void checks_passOnTheTruth_andFailOnAnythingElse() throws Exception {
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs/etc"));
    Files.writeString(rootfs.resolve("motd"), "hi\n");
    Files.setLastModifiedTime(rootfs.resolve("motd"), FileTime.from(Instant.ofEpochSecond(MTIME)));
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("f"), "x");
    Files.setLastModifiedTime(context.resolve("f"), FileTime.from(Instant.ofEpochSecond(MTIME)));
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Image image = new RootfsImporter(store).importRootfs(tmp.resolve("rootfs"),
        Platform.parse("linux/amd64"), "test rootfs");
    String created = image.config().created();
    assertTrue(created != null && !image.config().history().isEmpty(), image.config().toString());

    ImageChecks alone = new ImageChecks(store, image, context, null);
    assertEquals(List.of(), alone.check(lines(
        "layer-mtime etc/motd " + MTIME,
        "layer-mtime /etc/motd/ " + MTIME,
        "config-each /history /created \"" + created + "\"",
        "file /not/an/image/check ignored")));
    assertEquals(List.of(
        "expect:1: layer-mtime etc/motd 1600000001: mtime is 1600000000, expected 1600000001",
        "expect:2: layer-mtime etc/absent 0: not in the image's last layer",
        "expect:4: config-each /nothing /created x: is absent"),
        alone.check(lines("layer-mtime etc/motd " + (MTIME + 1), "layer-mtime etc/absent 0",
            "", "config-each /nothing /created \"x\"")));
    List<String> failures = alone.check(lines(
        "config-each /history /created \"1999-01-01T00:00:00Z\"",
        "created-later",
        "layer-mtime etc/motd context"));
    assertEquals(3, failures.size(), failures.toString());
    assertTrue(failures.get(0).startsWith("expect:1: config-each /history /created"
        + " 1999-01-01T00:00:00Z: an element's /created is \"" + created + "\""), failures.get(0));
    assertTrue(failures.get(1).contains("created-later needs a rebuild before it"), failures.get(1));
    // "context" names the context's file etc/motd, which does not exist there.
    assertTrue(failures.get(2).startsWith("expect:3: layer-mtime: "), failures.get(2));

    ImageChecks again = new ImageChecks(store, image, context, image);
    assertEquals(List.of("expect:1: created-later : created " + created + " is not after the"
        + " build before's " + created), again.check(lines("created-later")));
  }

  /** Lines numbered from 1, blank lines counted as the expect file counts them. */
  private static List<SuiteCase.Line> lines(String... raw) {
    List<SuiteCase.Line> lines = new java.util.ArrayList<>();
    for (int i = 0; i < raw.length; i++) {
      if (!raw[i].isEmpty()) {
        lines.add(SuiteCase.parse(i + 1, raw[i]));
      }
    }
    return lines;
  }
}
