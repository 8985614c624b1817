package dev.jbuild.builder.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@link TtyProgress} driven with a fixed width and a fake clock, frames compared with goldens
 * ({@code tty/frame-<width>.txt}, {@code tty/final-<width>.txt}) written in the layout of
 * BuildKit v0.8's progressui (docker 20.10 {@code --progress=tty}): {@code  => } lines cut (never
 * wrapped) to {@code width - 1} columns with the timer right-aligned, {@code CACHED}, output
 * lines under the running step, a step that waits for another stage hidden with its timer
 * stopped, {@code exporting to image} as a step, {@code FINISHED}.
 */
class TtyProgressTest {
  private static final long MS = 1_000_000L;

  private final AtomicLong now = new AtomicLong();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  @ParameterizedTest
  @ValueSource(ints = {80, 160})
  void frames_matchBuildKitsLayout(int width) throws Exception {
    TtyProgress tty = new TtyProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8),
        width, now::get);
    tty.stepStarted("[build 1/2] FROM docker.io/library/busybox:1.36");
    at(20);
    tty.stepFinished("[build 1/2] FROM docker.io/library/busybox:1.36", 20, false);
    tty.stepStarted("[stage-1 1/3] FROM docker.io/library/alpine:3.19");
    tty.stepFinished("[stage-1 1/3] FROM docker.io/library/alpine:3.19", 0, false);
    tty.stepStarted("[stage-1 2/3] RUN apk add --no-cache ca-certificates");
    tty.stepFinished("[stage-1 2/3] RUN apk add --no-cache ca-certificates", 0, true);
    // COPY --from=build on its own thread: it waits for the build stage from 0.1 s to 2.4 s.
    at(100);
    onThread(() -> {
      tty.stepStarted("[stage-1 3/3] COPY --from=build /out/app /usr/local/bin/app");
      tty.waiting(true);
    });
    tty.stepStarted("[build 2/2] RUN for i in 1 2 3; do echo \"compiling module $i of the"
        + " application with all optimisations on\"; sleep 1; done");
    at(1_000);
    tty.stepOutput("[build 2/2] RUN for i in 1 2 3; do echo \"compiling module $i of the"
        + " application with all optimisations on\"; sleep 1; done", "compiling module 1 of the"
        + " application with all optimisations on, which is a long line for an 80-column tty");
    tty.stepOutput("[build 2/2] RUN for i in 1 2 3; do echo \"compiling module $i of the"
        + " application with all optimisations on\"; sleep 1; done", "tab\there\033[31m");
    at(2_340);
    assertEquals(golden("frame-" + width), String.join("\n", tty.frame(now.get())) + "\n");

    at(2_400);
    tty.stepFinished("[build 2/2] RUN for i in 1 2 3; do echo \"compiling module $i of the"
        + " application with all optimisations on\"; sleep 1; done", 2_300, false);
    onThread(() -> tty.waiting(false));
    at(2_500);
    onThread(() -> tty.stepFinished(
        "[stage-1 3/3] COPY --from=build /out/app /usr/local/bin/app", 2_400, false));
    tty.info("writing image sha256:4f5c1b8a3e2d9c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b"
        + " done");
    at(2_600);
    tty.info("naming to docker.io/library/app:latest done");
    tty.close();
    assertEquals(golden("final-" + width), String.join("\n", tty.frame(now.get())) + "\n");

    String raw = bytes.toString(StandardCharsets.UTF_8);
    for (String line : raw.replaceAll("\033\\[1A|\033\\[2K|\r", "").split("\n")) {
      assertTrue(line.length() < width, "never as wide as the terminal, so it never wraps: "
          + line.length() + " " + line);
    }
    assertFalse(raw.contains("\033[31m"), "a step's escape codes never reach the terminal");
  }

  @Test
  void waitingStep_timerDoesNotRun() throws Exception {
    TtyProgress tty = new TtyProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 80,
        now::get);
    tty.stepStarted("[2/2] COPY --from=0 /a /a");
    at(300);
    tty.waiting(true);
    at(60_000);
    assertEquals(List.of("[+] Building 60.0s (0/1)"), tty.frame(now.get()));
    tty.waiting(false);
    at(60_200);
    assertEquals(" => [2/2] COPY --from=0 /a /a", tty.frame(now.get()).get(1)
        .replaceAll(" +0\\.5s$", ""));
  }

  @Test
  void resize_changesTheWidthOfLaterFrames() {
    TtyProgress tty = new TtyProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 160,
        now::get);
    tty.stepStarted("[1/1] RUN " + "x".repeat(200));
    assertEquals(159, tty.frame(0).get(1).length());
    tty.setWidth(80);
    assertEquals(79, tty.frame(0).get(1).length());
  }

  private void at(long millis) {
    now.set(millis * MS);
  }

  private static void onThread(Runnable r) throws InterruptedException {
    // The same thread each time: waiting() belongs to the step the calling thread runs.
    EXECUTOR.submit(r);
    try {
      EXECUTOR.submit(() -> { }).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  private static final java.util.concurrent.ExecutorService EXECUTOR =
      java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "other-stage");
        t.setDaemon(true);
        return t;
      });

  private static String golden(String name) throws IOException {
    try (InputStream in = TtyProgressTest.class.getResourceAsStream("/tty/" + name + ".txt")) {
      if (in == null) {
        throw new AssertionError("no golden tty/" + name + ".txt");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
