package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures that need no root: one clear line on stderr, exit code 1, no stack trace. */
class ErrorMessagesTest {
  @TempDir Path work;

  @Test
  void unknownInstruction_saysWhereAndSuggests() throws Exception {
    Files.writeString(work.resolve("Dockerfile"), "FROM scratch\nCOPPY a /b\n");
    Jbuild.Result r = new Jbuild(work.resolve("store")).run("build", work.toString());
    assertEquals(1, r.exitCode());
    assertEquals("error: Dockerfile:2:1: unknown instruction: COPPY (did you mean COPY?)",
        BuildIntegrationTest.lastLine(r.stderr()));
    assertFalse(r.stderr().contains("\tat "), r.stderr());
  }

  @Test
  void rawjsonProgress_endsWithAnErrorEvent() throws Exception {
    Files.writeString(work.resolve("Dockerfile"), "FROM scratch\nCOPPY a /b\n");
    Jbuild.Result r = new Jbuild(work.resolve("store")).run("build", "--progress=rawjson",
        work.toString());
    assertEquals(1, r.exitCode());
    String[] lines = r.stderr().strip().split("\n");
    // The JSON event comes before the usual one-line error.
    JsonNode error = new ObjectMapper().readTree(lines[lines.length - 2]);
    assertEquals("error", error.get("type").asText(), r.stderr());
    assertEquals("Dockerfile:2:1: unknown instruction: COPPY (did you mean COPY?)",
        error.get("message").asText());
  }

  @Test
  void missingBaseImage_namesItAndWhyPullFailed() throws Exception {
    Files.writeString(work.resolve("Dockerfile"),
        "FROM 127.0.0.1:9/nothing/here:v1\nRUN true\n");
    Jbuild.Result r = new Jbuild(work.resolve("store")).run("build", work.toString());
    assertEquals(1, r.exitCode());
    String last = BuildIntegrationTest.lastLine(r.stderr());
    assertEquals(true, last.startsWith("error: base image 127.0.0.1:9/nothing/here:v1 is not in"
        + " the local store and could not be pulled: "), last);
    assertFalse(r.stderr().contains("\tat "), r.stderr());
  }

  @Test
  void badFlag_isAUsageError() throws Exception {
    Jbuild.Result r = new Jbuild(work.resolve("store")).run("build", "--nope", ".");
    assertEquals(2, r.exitCode());
  }
}
