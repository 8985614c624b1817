package dev.jbuild.layerstore.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Posix#preloadInBackground}: racing it with real calls changes nothing they see. */
class PosixPreloadTest {
  @TempDir Path tmp;

  @Test
  void preloadRacingRealCalls_startsOneThread_andTheCallsWork() throws Exception {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<List<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        boolean preload = i % 2 == 0;
        calls.add(() -> {
          if (preload) {
            Posix.preloadInBackground();
          }
          return Posix.llistxattr(file);
        });
      }
      for (Future<List<String>> f : pool.invokeAll(calls)) {
        assertEquals(List.of(), f.get(), "a fresh file has no xattrs");
      }
    } finally {
      pool.shutdownNow();
    }
    Posix.preloadInBackground(); // again: nothing new starts
    long preloaders = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("jbuild-posix-preload")).count();
    assertTrue(preloaders <= 1, preloaders + " preload threads");
    // A missing path still fails with the call's own worded error after a preload.
    PosixException e = org.junit.jupiter.api.Assertions.assertThrows(PosixException.class,
        () -> Posix.llistxattr(tmp.resolve("missing")));
    assertTrue(e.getMessage().contains("llistxattr"), e.getMessage());
  }
}
