package dev.jbuild.builder.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link JsonProgress}: one JSON object per line, ending in a result or an error. */
class JsonProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final JsonProgress progress =
      new JsonProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8));

  private List<JsonNode> events() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
      out.add(new ObjectMapper().readTree(line));
    }
    return out;
  }

  @Test
  void aSuccessfulBuildEndsWithItsImageAndDigest() throws Exception {
    progress.stepStarted("[1/2] FROM x");
    progress.stepOutput("[1/2] FROM x", "a \"quoted\" line");
    progress.stepFinished("[1/2] FROM x", 12, true);
    progress.finished("sha256:aa", "sha256:bb", List.of("127.0.0.1:5000/a:1"));
    List<JsonNode> e = events();
    assertEquals(List.of("step", "log", "done", "result"),
        e.stream().map(n -> n.get("type").asText()).toList());
    assertEquals(1, e.get(0).get("id").asInt());
    assertEquals(1, e.get(2).get("id").asInt());
    assertEquals("a \"quoted\" line", e.get(1).get("line").asText());
    JsonNode result = e.get(3);
    assertEquals("sha256:aa", result.get("imageId").asText());
    assertEquals("sha256:bb", result.get("manifestDigest").asText());
    assertEquals("127.0.0.1:5000/a:1", result.get("pushed").get(0).asText());
  }

  @Test
  void aFailedBuildEndsWithTheErrorAndTheExitCode() throws Exception {
    progress.failed("Dockerfile:2: [2/2] RUN false: exit code 1", 1);
    progress.failed("Dockerfile:1:1: unknown instruction: COPPY", null);
    List<JsonNode> e = events();
    assertEquals("error", e.get(0).get("type").asText());
    assertEquals("Dockerfile:2: [2/2] RUN false: exit code 1", e.get(0).get("message").asText());
    assertEquals(1, e.get(0).get("exitCode").asInt());
    assertFalse(e.get(1).has("exitCode"));
  }
}
