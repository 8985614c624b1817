package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild build}'s docker flags end to end, through the CLI with real RUN steps: {@code
 * --add-host}, {@code --shm-size}, {@code --ulimit} as a RUN sees them, {@code --label} over the
 * Dockerfile's, and {@code -}: a tar context (plain, gzip'd, hostile) or a Dockerfile on stdin,
 * and {@code -f -}. One busybox store for the class.
 */
@Tag("root")
class BuildFlagsIntegrationTest {
  @TempDir static Path work;
  static Jbuild jbuild;

  @BeforeAll
  static void base() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
  }

  private static Path dir(String name) throws Exception {
    return Files.createDirectories(Files.createTempDirectory(work, name));
  }

  @Test
  void sandboxFlags_areWhatRunSees_andLabelsWin() throws Exception {
    Path ctx = dir("ctx");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        + "LABEL a=dockerfile b=dockerfile\n"
        + "RUN (ulimit -n; ulimit -Hn; grep 10.1.2 /etc/hosts;"
        + " df -k /dev/shm | tail -n 1 | awk '{print $2}') > /seen\n");
    Path out = work.resolve("sandbox-out");
    jbuild.run("build", "--progress=plain", "-t", "flags:1", "--add-host", "db:10.1.2.3",
        "--shm-size", "16m", "--ulimit", "nofile=1000:2000", "--label", "b=flag",
        "--label", "c=", "-o", "type=local,dest=" + out, ctx.toString()).assertSuccess();
    assertEquals("1000\n2000\n10.1.2.3\tdb\n16384\n", Files.readString(out.resolve("seen")));
    assertEquals("{\"a\":\"dockerfile\",\"b\":\"flag\",\"c\":\"\"}\n",
        jbuild.run("inspect", "-f", "{{json .Config.Labels}}", "flags:1").assertSuccess()
            .stdout());
  }

  /**
   * After BuildKit's {@code TestNamedImageContext}/{@code TestNamedLocalContext}: an image
   * context replaces a stage (whose base does not even exist: it is never built) and a
   * directory context feeds COPY --from and RUN --mount from=.
   */
  @Test
  void buildContexts_replaceAStageAndFeedCopy() throws Exception {
    Path ctx = dir("ctxn");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM nonexistent.invalid/base:1 AS base\n"
        + "RUN false\nFROM base\nCOPY --from=files hello /hello\n"
        + "RUN --mount=from=files,target=/m cat /hello /m/hello > /seen\n");
    Path files = dir("named");
    Files.writeString(files.resolve("hello"), "named-dir\n");
    Path out = work.resolve("named-out");
    jbuild.run("build", "--progress=plain", "--build-context",
        "base=docker-image://localbase/busybox:1", "--build-context", "files=" + files, "-o",
        "type=local,dest=" + out, ctx.toString()).assertSuccess();
    assertEquals("named-dir\nnamed-dir\n", Files.readString(out.resolve("seen")));
  }

  @Test
  void tarContextOnStdin_plainAndGzip() throws Exception {
    String dockerfile = "FROM localbase/busybox:1\nCOPY sub/f /f\nRUN cat /f > /g\n";
    for (boolean gzip : new boolean[] {false, true}) {
      Path tar = work.resolve("ctx-" + gzip + ".tar");
      try (OutputStream file = Files.newOutputStream(tar);
          OutputStream raw = gzip ? new GZIPOutputStream(file) : file;
          TarArchiveOutputStream out = new TarArchiveOutputStream(raw)) {
        add(out, "Dockerfile", dockerfile);
        add(out, "sub/f", "from-tar-" + gzip + "\n");
      }
      Path dest = work.resolve("tar-out-" + gzip);
      jbuild.runWithStdin(Map.of(), tar, "build", "--progress=plain", "-o",
          "type=local,dest=" + dest, "-").assertSuccess();
      assertEquals("from-tar-" + gzip + "\n", Files.readString(dest.resolve("g")));
    }
  }

  @Test
  void dockerfileOnStdin_withoutContext_andWithOne() throws Exception {
    Path df = work.resolve("stdin.Dockerfile");
    Files.writeString(df, "FROM localbase/busybox:1\nRUN echo from-stdin > /x\n");
    Path dest = work.resolve("df-out");
    jbuild.runWithStdin(Map.of(), df, "build", "--progress=plain", "-o",
        "type=local,dest=" + dest, "-").assertSuccess();
    assertEquals("from-stdin\n", Files.readString(dest.resolve("x")));

    Path ctx = dir("ctxf");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY nothing /\n");
    Files.writeString(ctx.resolve("data"), "context-file\n");
    Files.writeString(df, "FROM localbase/busybox:1\nCOPY data /data\n");
    Path dest2 = work.resolve("df-out2");
    jbuild.runWithStdin(Map.of(), df, "build", "--progress=plain", "-f", "-", "-o",
        "type=local,dest=" + dest2, ctx.toString()).assertSuccess();
    assertEquals("context-file\n", Files.readString(dest2.resolve("data")));
  }

  @Test
  void hostileOrBrokenStdin_isOneLine_andWritesNothingOutside() throws Exception {
    Path tar = work.resolve("evil.tar");
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
      add(out, "Dockerfile", "FROM localbase/busybox:1\n");
      add(out, "../../escaped", "x");
    }
    Jbuild.Result r = jbuild.runWithStdin(Map.of(), tar, "build", "-");
    assertNotEquals(0, r.exitCode());
    assertTrue(r.stderr().startsWith("error: Tried to read the build context from stdin as a"
        + " tar but failed because: "), r.stderr());
    assertEquals(1, r.stderr().lines().count(), r.stderr());
    assertFalse(Files.exists(work.resolve("store/escaped")));
    assertFalse(Files.exists(work.resolve("escaped")));
    try (var leftovers = Files.list(work.resolve("store/tmp"))) {
      assertEquals(List.of(), leftovers.filter(p -> p.getFileName().toString()
          .startsWith("stdin-")).toList(), "the stdin scratch dir stayed");
    }
    // A truncated gzip stream: also one line.
    Path broken = work.resolve("broken.tar.gz");
    Files.write(broken, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0});
    Jbuild.Result b = jbuild.runWithStdin(Map.of(), broken, "build", "-");
    assertNotEquals(0, b.exitCode());
    assertEquals(1, b.stderr().lines().count(), b.stderr());
  }

  private static void add(TarArchiveOutputStream out, String name, String content)
      throws Exception {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(bytes.length);
    e.setMode(0644);
    out.putArchiveEntry(e);
    out.write(bytes);
    out.closeArchiveEntry();
  }
}
