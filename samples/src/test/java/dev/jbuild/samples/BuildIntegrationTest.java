package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the real CLI, as root: an offline busybox base image, RUN steps in real
 * namespaces over real overlayfs, layers with whiteouts, {@code jbuild save}, and {@code docker
 * load} + {@code docker run} as the oracle when a Docker engine is available.
 */
@Tag("root")
class BuildIntegrationTest {
  @TempDir static Path work;
  static Jbuild jbuild;

  @BeforeAll
  static void baseImage() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
  }

  @Test
  void helloworld_buildsAndRuns() throws Exception {
    jbuild.run("build", "--progress=plain", "-t", "helloworld",
        Jbuild.samplesDir().resolve("helloworld").toString()).assertSuccess();
    Jbuild.Result images = jbuild.run("images").assertSuccess();
    assertTrue(images.stdout().contains("helloworld"), images.stdout());

    Path archive = work.resolve("helloworld.tar");
    jbuild.run("save", "-o", archive.toString(), "helloworld").assertSuccess();
    List<List<String>> layers = LayerTars.layerEntries(archive);
    // base, WORKDIR /app, ADD . /app, RUN: as BuildKit makes them.
    assertEquals(4, layers.size(), layers.toString());
    assertEquals(List.of("app/"), layers.get(1));
    assertTrue(layers.get(2).containsAll(List.of("app/", "app/Dockerfile", "app/app.sh")),
        layers.get(2).toString());
    assertTrue(layers.get(3).contains("app/www/index.html"), layers.get(3).toString());
    // /etc was copied up only for the /etc/hosts mount stub, which is gone again.
    assertFalse(layers.get(3).contains("etc/"), layers.get(3).toString());

    if (Docker.available()) {
      Jbuild.Result load = Docker.exec(List.of("docker", "load", "-i", archive.toString()));
      assertEquals(0, load.exitCode(), load.stderr());
      Jbuild.Result run = Docker.exec(List.of("docker", "run", "--rm", "helloworld:latest"));
      assertEquals(0, run.exitCode(), run.stderr());
      assertTrue(run.stdout().contains("Hello World!"), run.stdout());
      Jbuild.Result page = Docker.exec(
          List.of("docker", "run", "--rm", "helloworld:latest", "cat", "/app/www/index.html"));
      assertTrue(page.stdout().contains("Hello world!"), page.stdout());
    }
  }

  @Test
  void runSteps_produceWhiteoutsAndOpaqueDirectories() throws Exception {
    Path context = work.resolve("whiteouts");
    Files.createDirectories(context);
    Files.copy(Path.of(getClass().getResource("/whiteouts/Dockerfile").toURI()),
        context.resolve("Dockerfile"));
    jbuild.run("build", "-t", "whiteouts:test", context.toString()).assertSuccess();
    Path archive = work.resolve("whiteouts.tar");
    jbuild.run("save", "-o", archive.toString(), "whiteouts:test").assertSuccess();

    List<List<String>> layers = LayerTars.layerEntries(archive);
    assertEquals(3, layers.size(), layers.toString());
    List<String> changes = layers.get(2);
    assertTrue(changes.contains("data/.wh.gone"), changes.toString());
    assertTrue(changes.contains("data/file"), changes.toString());
    assertTrue(changes.contains("data/keep/added"), changes.toString());
    assertFalse(changes.contains("data/keep/a"), "unchanged file in the layer: " + changes);
    assertTrue(changes.contains("etc/.wh.group"), changes.toString());
    assertTrue(changes.contains("var/www/.wh..wh..opq"), changes.toString());
    assertTrue(changes.contains("var/www/index.html"), changes.toString());
    assertTrue(changes.indexOf("var/www/.wh..wh..opq") < changes.indexOf("var/www/index.html"),
        "opaque marker must precede the directory's entries: " + changes);
    assertTrue(changes.contains("root"), changes.toString());
    assertFalse(changes.stream().anyMatch(n -> n.startsWith("etc/hosts")
        || n.startsWith("etc/resolv.conf") || n.startsWith("etc/hostname")),
        "mount stubs leaked into the layer: " + changes);

    String expected = "file\nkeep\nchanged\ngroup-deleted\nindex.html\nnow-a-file\n";
    Jbuild.Result run = jbuild.run("run", "--rm", "whiteouts:test");
    assertEquals(0, run.exitCode(), run.stderr());
    assertEquals(expected, run.stdout());
    if (Docker.available()) {
      Jbuild.Result load = Docker.exec(List.of("docker", "load", "-i", archive.toString()));
      assertEquals(0, load.exitCode(), load.stderr());
      Jbuild.Result docker = Docker.exec(List.of("docker", "run", "--rm", "whiteouts:test"));
      assertEquals(0, docker.exitCode(), docker.stderr());
      assertEquals(expected, docker.stdout());
    }
  }

  @Test
  void multistage_shipsOnlyTheArtifact() throws Exception {
    Path ctx = Jbuild.samplesDir().resolve("multistage");
    jbuild.run("build", "-t", "multistage", ctx.toString()).assertSuccess();
    Jbuild.Result run = jbuild.run("run", "--rm", "multistage").assertSuccess();
    assertTrue(run.stdout().startsWith("word count report\nwords: 16\n"), run.stdout());
    Path archive = work.resolve("multistage.tar");
    jbuild.run("save", "-o", archive.toString(), "multistage").assertSuccess();
    List<List<String>> layers = LayerTars.layerEntries(archive);
    assertEquals(List.of(List.of("bin/", "bin/busybox"), List.of("srv/", "srv/report.txt.gz")),
        layers);
    Jbuild.Result test = jbuild.run("build", "--target", "test", ctx.toString());
    assertEquals(0, test.exitCode(), test.stderr());
  }

  @Test
  void failingRun_namesTheStepAndExitCode() throws Exception {
    Path context = work.resolve("fails");
    Files.createDirectories(context);
    Files.writeString(context.resolve("Dockerfile"),
        "FROM localbase/busybox:1\nRUN echo before\nRUN echo oops >&2; exit 3\n");
    Jbuild.Result r = jbuild.run("build", "-t", "fails", context.toString());
    assertEquals(1, r.exitCode(), r.stderr());
    String last = lastLine(r.stderr());
    assertTrue(last.startsWith("error: Dockerfile:3: [3/3] RUN echo oops >&2; exit 3"), last);
    assertTrue(last.contains("exit code: 3"), last);
    assertTrue(r.stderr().contains(" > oops"), "output tail missing: " + r.stderr());
    assertFalse(r.stderr().contains("\tat "), "stack trace shown: " + r.stderr());
  }

  static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1];
  }
}
