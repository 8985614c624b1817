package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.layerstore.posix.Posix;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's training command: its real builds must succeed, or the class archive and the
 * AOT cache's profiles silently cover less of a cached build than they should (the command
 * itself ignores a failed build, so that a machine where it fails still gets an archive).
 */
class TrainingCommandTest {
  @TempDir Path dir;

  @Test
  void realBuild_succeedsColdThenCached() throws Exception {
    assumeTrue(Posix.isRoot(), "the training build runs as root only");
    // Fewer context files than the command's: the same code paths, cheaper.
    assertEquals(0, TrainingCommand.trainRealBuild(dir, 700));
    StringWriter out = new StringWriter();
    int code = Main.execute(new String[] {"--root", dir.resolve("store").toString(), "images"},
        new PrintWriter(out, true), new PrintWriter(out, true));
    assertEquals(0, code, out.toString());
    assertEquals(true, out.toString().contains("training/build"), out.toString());
  }
}
