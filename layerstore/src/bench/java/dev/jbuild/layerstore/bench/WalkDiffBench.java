package dev.jbuild.layerstore.bench;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.TreeSnapshot;
import dev.jbuild.layerstore.diff.WalkingDiffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The walking diff (no overlayfs) on a 100k-file tree with 10 changed files: {@link
 * TreeSnapshot#take} (one lstat per path), {@link WalkingDiffer#diff} (one more lstat per path
 * plus the changed files), the snapshot's heap, and for scale a Kaniko-style pass that reads and
 * hashes every file. Warm page cache; best of 5 runs after 2 warm-ups. No root needed.
 */
final class WalkDiffBench {
  private WalkDiffBench() {}

  static void run(Path work) throws Exception {
    LayerStore store = LayerStore.open(work.resolve("walk-store"));
    int files = 100_000;
    Path root = Files.createDirectories(work.resolve("rootfs"));
    for (int i = 0; i < files; i++) {
      Path dir = root.resolve("d" + (i / 1000)).resolve("e" + (i / 100 % 10));
      if (i % 100 == 0) {
        Files.createDirectories(dir);
      }
      Files.writeString(dir.resolve("f" + i), "file " + i + "\n");
    }
    long paths;
    try (Stream<Path> all = Files.walk(root)) {
      paths = all.count() - 1;
    }
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long bestTake = Long.MAX_VALUE;
    long bestDiff = Long.MAX_VALUE;
    long takeCpu = 0;
    long diffCpu = 0;
    long heap = 0;
    long measuredHeap = 0;
    for (int round = 0; round < 7; round++) {
      long before = usedHeap();
      long cpu = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      TreeSnapshot snapshot = TreeSnapshot.take(root, List.of("proc", "sys", "dev"));
      long took = System.nanoTime() - start;
      long tookCpu = threads.getCurrentThreadCpuTime() - cpu;
      measuredHeap = usedHeap() - before;
      heap = snapshot.heapBytes();
      for (int k = 0; k < 10; k++) {
        int i = k * 9_973 % files;
        Path f = root.resolve("d" + (i / 1000)).resolve("e" + (i / 100 % 10)).resolve("f" + i);
        Files.writeString(f, "changed " + round + "\n");
      }
      cpu = threads.getCurrentThreadCpuTime();
      start = System.nanoTime();
      Layer layer = WalkingDiffer.diff(snapshot, store.content()).orElseThrow();
      long diffTook = System.nanoTime() - start;
      long diffTookCpu = threads.getCurrentThreadCpuTime() - cpu;
      if (layer.blob().size() == 0) {
        throw new AssertionError();
      }
      if (round >= 2 && took < bestTake) {
        bestTake = took;
        takeCpu = tookCpu;
      }
      if (round >= 2 && diffTook < bestDiff) {
        bestDiff = diffTook;
        diffCpu = diffTookCpu;
      }
      if (snapshot.size() != paths) {
        throw new AssertionError(snapshot.size() + " != " + paths);
      }
    }
    long bestHash = Long.MAX_VALUE;
    for (int round = 0; round < 4; round++) {
      long start = System.nanoTime();
      hashAll(root);
      if (round >= 1) {
        bestHash = Math.min(bestHash, System.nanoTime() - start);
      }
    }
    System.out.printf(Locale.ROOT, "walking diff, %,d paths (%,d files), 10 changed:%n", paths,
        files);
    System.out.printf(Locale.ROOT, "  TreeSnapshot.take:   %8.1f ms (%.2f us per path), %.1f ms"
        + " CPU of this thread (load average %.1f)%n", bestTake / 1e6, bestTake / 1e3 / paths,
        takeCpu / 1e6, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            .getSystemLoadAverage());
    System.out.printf(Locale.ROOT, "  WalkingDiffer.diff:  %8.1f ms (%.2f us per path), %.1f ms"
        + " CPU of this thread (gzip runs on others)%n", bestDiff / 1e6, bestDiff / 1e3 / paths,
        diffCpu / 1e6);
    System.out.printf(Locale.ROOT, "  snapshot heap: %.1f MB by its arrays (%d bytes per path),"
        + " %.1f MB measured%n", heap / 1e6, heap / paths, measuredHeap / 1e6);
    System.out.printf(Locale.ROOT, "  for scale, read + sha256 of every file: %8.1f ms%n",
        bestHash / 1e6);
    System.out.println("  (a RUN step costs take + diff)");
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static void hashAll(Path root) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[64 * 1024];
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(p)) {
          try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) {
              sha.update(buf, 0, n);
            }
          }
        }
      }
    } catch (IOException e) {
      throw e;
    }
    sha.digest();
  }
}
