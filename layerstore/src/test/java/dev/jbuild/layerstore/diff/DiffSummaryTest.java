package dev.jbuild.layerstore.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.fs.TreeSummary;
import dev.jbuild.layerstore.overlay.OverlayFormat;
import dev.jbuild.layerstore.posix.Posix;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link LayerDiffer#diffAndSummarize}: the summary made during the diff's walk is the
 * one {@link TreeSummary#of} computes by walking the upperdir again (which {@code jbuild verify}
 * does later), for every kind of entry an upperdir holds — also those the layer leaves out
 * (whiteouts of names absent below, sockets) — so an adopted snapshot never reads as corrupt.
 * Root: makes whiteout devices, trusted xattrs and foreign owners.
 */
@Tag("root")
class DiffSummaryTest {
  @TempDir Path tmp;

  @Test
  void summaryFromTheDiffWalk_equalsASecondWalk() throws Exception {
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Files.createDirectories(lower.resolve("gone-dir"));
    Files.writeString(lower.resolve("gone"), "below");
    Files.createDirectories(lower.resolve("opaque"));
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    // Names whose sort order differs between String.compareTo and byte order or path order.
    for (String name : List.of("a", "B", "a-b", "a.b", "ab", "é", "z")) {
      Files.writeString(upper.resolve(name), name);
    }
    Files.createDirectories(upper.resolve("dir/sub/deeper"));
    Files.writeString(upper.resolve("dir/sub/deeper/f"), "x".repeat(5000));
    Files.setLastModifiedTime(upper.resolve("dir/sub/deeper/f"),
        FileTime.fromMillis(-1_500L)); // before the epoch, with a fraction
    Files.createSymbolicLink(upper.resolve("dir/link"), Path.of("../nowhere/at all"));
    Files.createLink(upper.resolve("dir/hard"), upper.resolve("z"));
    Files.writeString(upper.resolve("setuid"), "s");
    Posix.chmod(upper.resolve("setuid"), 04755);
    Posix.lchown(upper.resolve("setuid"), (int) 3_000_000_000L, 65534); // shown as negative
    OverlayRoundTripTest.run("mkfifo", upper.resolve("fifo").toString());
    Posix.mknod(upper.resolve("null"), Posix.S_IFCHR | 0666, 1, 3);
    OverlayFormat.makeWhiteout(upper.resolve("gone"));
    OverlayFormat.makeWhiteout(upper.resolve("never-there"));
    Files.createDirectories(upper.resolve("opaque"));
    Posix.lsetxattr(upper.resolve("opaque"), "trusted.overlay.opaque",
        "y".getBytes(StandardCharsets.US_ASCII));
    try (ServerSocketChannel s = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(upper.resolve("sock")));
      LayerStore store = LayerStore.open(tmp.resolve("store"));
      LayerDiffer.Summarized diff = LayerDiffer.diffAndSummarize(upper, List.of(lower),
          store.content(), LayerOptions.defaults());
      assertTrue(diff.layer().isPresent());
      TreeSummary walked = TreeSummary.of(upper);
      assertEquals(walked, diff.upperDir());
      assertEquals(20, walked.entries(), "every entry, whiteouts and the socket included");
      assertEquals(LayerDiffer.diff(upper, List.of(lower), store.content()).get(),
          diff.layer().get(), "the same layer as diff()");
    }
  }

  @Test
  void anEmptyUpperdir_hasNoLayerAndTheEmptySummary() throws Exception {
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    LayerDiffer.Summarized diff = LayerDiffer.diffAndSummarize(upper, List.of(),
        store.content(), LayerOptions.defaults());
    assertTrue(diff.layer().isEmpty());
    assertEquals(TreeSummary.of(upper), diff.upperDir());
  }
}
