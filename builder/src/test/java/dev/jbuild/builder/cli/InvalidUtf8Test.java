package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10 item 6: a Dockerfile with invalid UTF-8 used to fail {@code jbuild build} with "Input
 * length = 1" while {@code jbuild parse} accepted it. Both now reject it with the same one-line
 * error naming the file, line, column and byte. Needs no root: the build fails before any step.
 */
class InvalidUtf8Test {
  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  /** "FROM scratch\nLABEL a=caf" then Latin-1 0xE9 (not UTF-8), then "\n". */
  private Path latin1Dockerfile(Path context) throws Exception {
    Files.createDirectories(context);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write("FROM scratch\nLABEL a=caf".getBytes(StandardCharsets.US_ASCII));
    bytes.write(0xE9);
    bytes.write('\n');
    return Files.write(context.resolve("Dockerfile"), bytes.toByteArray());
  }

  @Test
  void parse_invalidUtf8_isOneLineErrorWithFileLineColumnAndByte() throws Exception {
    Path file = latin1Dockerfile(dir.resolve("ctx"));

    Result r = run("parse", file.toString());

    assertEquals(1, r.code(), r.out());
    assertEquals("error: " + file + ":2:12: invalid UTF-8: byte 0xe9\n", r.err());
  }

  @Test
  void build_invalidUtf8_failsLikeParse() throws Exception {
    Path context = dir.resolve("ctx");
    latin1Dockerfile(context);

    Result r = run("--root", dir.resolve("store").toString(), "build", context.toString());

    assertEquals(1, r.code(), r.err());
    assertEquals("error: Dockerfile:2:12: invalid UTF-8: byte 0xe9",
        r.err().lines().reduce((a, b) -> b).orElse(""));
    assertFalse(r.err().contains("Input length"), r.err());
  }

  @Test
  void build_invalidUtf8InDockerignore_namesFileAndLine() throws Exception {
    Path context = dir.resolve("ctx");
    Files.createDirectories(context);
    Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
    Files.write(context.resolve(".dockerignore"), new byte[] {'a', '\n', 'b', (byte) 0xff, '\n'});

    Result r = run("--root", dir.resolve("store").toString(), "build", context.toString());

    assertEquals(1, r.code(), r.err());
    String last = r.err().lines().reduce((a, b) -> b).orElse("");
    assertEquals("error: .dockerignore: " + context.resolve(".dockerignore")
        + ":2:2: invalid UTF-8: byte 0xff", last);
  }

  @Test
  void parse_validUtf8AfterByteOrderMark_isAccepted() throws Exception {
    Path file = dir.resolve("Dockerfile");
    Files.write(file, ("\uFEFFFROM scratch\nLABEL a=café\n").getBytes(StandardCharsets.UTF_8));

    Result r = run("parse", file.toString());

    assertEquals(0, r.code(), r.err());
  }
}
