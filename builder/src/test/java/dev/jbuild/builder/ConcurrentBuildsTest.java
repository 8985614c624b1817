package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.plan.NetworkPolicy;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.gc.Verifier;
import dev.jbuild.layerstore.gc.VerifyReport;
import dev.jbuild.layerstore.oci.ImageReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ImageBuilder}'s thread-safety contract (issue 15's library API): one builder and one
 * store, several threads building at once, two of them the same Dockerfile (the same cache keys
 * and layers written at the same time) and one another. Every build succeeds with the image it
 * would get alone, every tag names its build's image, and {@code verify} finds the store whole.
 * No root: {@link FakeCommandRunner} stands in for containers.
 */
class ConcurrentBuildsTest {
  private static final Instant CLOCK = Instant.parse("2024-01-02T03:04:05Z");

  @TempDir Path tmp;

  @Test
  void threadsBuildingOnOneStore_allSucceedAndTheStoreStaysWhole() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs/etc"));
    Files.writeString(rootfs.resolve("motd"), "hello\n");
    BuildFixture.tagBase(store, rootfs.getParent());
    ImageBuilder builder = new ImageBuilder(store, new FakeCommandRunner(),
        StoredBases.of(store), () -> CLOCK);

    String same = "FROM base:1\nRUN echo same > /same\nCOPY file.txt /file.txt\n";
    String other = "FROM base:1\nRUN echo other > /other && echo more >> /etc/motd\n";
    List<String> dockerfiles = List.of(same, same, other, other);
    List<BuildRequest> requests = new ArrayList<>();
    for (int i = 0; i < dockerfiles.size(); i++) {
      Path context = Files.createDirectories(tmp.resolve("context" + i));
      Files.writeString(context.resolve("Dockerfile"), dockerfiles.get(i), StandardCharsets.UTF_8);
      Files.writeString(context.resolve("file.txt"), "content\n");
      requests.add(BuildRequest.builder(context).network(NetworkPolicy.BRIDGE)
          .tags(List.of(ImageReference.parse("app" + i + ":1"))).build());
    }

    CyclicBarrier start = new CyclicBarrier(requests.size());
    ExecutorService pool = Executors.newFixedThreadPool(requests.size());
    List<Future<BuildResult>> futures = new ArrayList<>();
    try {
      for (BuildRequest request : requests) {
        futures.add(pool.submit(() -> {
          start.await();
          return builder.build(request, BuildListener.NONE);
        }));
      }
      List<BuildResult> results = new ArrayList<>();
      for (Future<BuildResult> f : futures) {
        results.add(f.get(5, TimeUnit.MINUTES));
      }
      // The same inputs give the same image whoever wrote its layers first.
      assertEquals(results.get(0).image().id(), results.get(1).image().id());
      assertEquals(results.get(2).image().id(), results.get(3).image().id());
      assertNotEquals(results.get(0).image().id(), results.get(2).image().id());
      for (int i = 0; i < results.size(); i++) {
        ImageReference tag = ImageReference.parse("app" + i + ":1");
        assertEquals(results.get(i).image().manifestDigest(),
            store.images().resolve(tag).orElseThrow().digest(), tag.toString());
      }
    } finally {
      pool.shutdownNow();
    }
    VerifyReport report = new Verifier(store).verify(false, line -> { });
    assertTrue(report.clean(), report.toString());
  }
}
