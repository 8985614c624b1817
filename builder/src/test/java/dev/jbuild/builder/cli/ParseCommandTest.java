package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@code jbuild parse}, run through {@link Main#execute}. */
class ParseCommandTest {
  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private Path dockerfile(String text) throws Exception {
    Path file = dir.resolve("Dockerfile");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void json_printsIssueShape() throws Exception {
    Path file = dockerfile("FROM alpine AS build\n"
        + "FROM scratch\n"
        + "COPY --from=build a /b/\n"
        + "ENV k=v k2=\"v 2\"\n"
        + "ONBUILD RUN make\n"
        + "COPY <<EOF /x\nhello $X\nEOF\n"
        + "ENV legacy value here\n");

    Result r = run("parse", "--json", file.toString());

    assertEquals(0, r.code(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals("\\", root.get("directives").get("escape").asText());
    JsonNode copy = root.get("instructions").get(2);
    assertEquals("copy", copy.get("name").asText());
    assertEquals("[\"--from=build\"]", copy.get("flags").toString());
    assertEquals("[\"a\",\"/b/\"]", copy.get("args").toString());
    assertEquals(false, copy.get("json").asBoolean());
    assertEquals(3, copy.get("startLine").asInt());
    assertEquals(3, copy.get("endLine").asInt());
    assertTrue(copy.get("trigger").isNull());
    JsonNode env = root.get("instructions").get(3);
    assertEquals("[\"k\",\"v\",\"k2\",\"\\\"v 2\\\"\"]", env.get("args").toString());
    assertEquals(false, env.get("legacyForm").asBoolean());
    JsonNode onbuild = root.get("instructions").get(4);
    assertEquals(0, onbuild.get("args").size());
    assertEquals("run", onbuild.get("trigger").get("name").asText());
    assertEquals("[\"make\"]", onbuild.get("trigger").get("args").toString());
    JsonNode heredoc = root.get("instructions").get(5).get("heredocs").get(0);
    assertEquals("EOF", heredoc.get("name").asText());
    assertEquals("hello $X\n", heredoc.get("content").asText());
    assertTrue(heredoc.get("expand").asBoolean());
    assertEquals(false, heredoc.get("chomp").asBoolean());
    assertEquals(8, root.get("instructions").get(5).get("endLine").asInt());
    assertTrue(root.get("instructions").get(6).get("legacyForm").asBoolean());
    JsonNode warning = root.get("warnings").get(0);
    assertEquals(9, warning.get("line").asInt());
    assertTrue(warning.get("message").asText().startsWith("LegacyKeyValueFormat: "));
  }

  @Test
  void invalidInput_exitsOneWithTheErrorLine() throws Exception {
    Path file = dockerfile("FROM alpine\nCOPPY a b\n");

    Result r = run("parse", "--json", file.toString());

    assertEquals(1, r.code());
    assertEquals("", r.out());
    assertEquals("error: " + file + ":2:1: unknown instruction: COPPY (did you mean COPY?)",
        r.err().strip());
  }

  @Test
  void json_acceptsWhatBuildKitsParserAccepts() throws Exception {
    // BuildKit parser/testfiles json, flags and health: no FROM, unknown flags and HEALTHCHECK
    // without arguments are instruction-layer (build) errors, not parser errors (issue #14).
    Path file = dockerfile("CMD [\"a\"]\nCOPY --user=me foo /tmp/\nHEALTHCHECK\n");

    Result r = run("parse", "--json", file.toString());

    assertEquals(0, r.code(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals("[\"--user=me\"]", root.get("instructions").get(1).get("flags").toString());
    assertEquals("healthcheck", root.get("instructions").get(2).get("name").asText());
    assertEquals(0, root.get("instructions").get(2).get("args").size());
  }

  @Test
  void withoutJson_printsOneLinePerInstruction() throws Exception {
    Path file = dockerfile("# syntax=docker/dockerfile:1\nFROM alpine\nRUN --network=none \\\n"
        + "  echo hi\nCMD [\"sh\"]\n");

    Result r = run("parse", file.toString());

    assertEquals(0, r.code(), r.err());
    assertEquals("escape \\\nsyntax docker/dockerfile:1\n2 FROM alpine\n"
        + "3-4 RUN --network=none echo hi\n5 CMD [\"sh\"]\n", r.out().replace("\r", ""));
  }

  @Test
  void missingFile_isOneLineError() {
    Result r = run("parse", dir.resolve("nope").toString());

    assertEquals(1, r.code());
    assertEquals("error: Tried to read " + dir.resolve("nope")
        + " but failed because: no such file", r.err().strip());
  }
}
