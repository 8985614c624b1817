package dev.jbuild.maven;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.maven.plugin.logging.Log;

/**
 * The stderr of a child {@code jbuild build --progress rawjson} ({@code JsonProgress}'s events,
 * one JSON object a line) turned into the same Maven log lines as an in-process build, through
 * {@link MavenLogListener}. Lines that are not events are the command's own: its mode
 * announcement ({@code jbuild: rootless mode ...}) is logged, its closing {@code error: ...}
 * line is kept as the failure when no {@code error} event came, and the failed step's output
 * tail it repeats is dropped (the step's lines are in the log already).
 *
 * <p>Used from one thread (the reader of the child's stderr), then read after the child ended.
 */
final class ChildProgress {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Log log;
  private final MavenLogListener listener;
  private String error;
  private Integer exitCode;
  private String errorLine;
  private String imageId;

  ChildProgress(Log log) {
    this.log = log;
    this.listener = new MavenLogListener(log);
  }

  /** Handles one line of the child's stderr. */
  void line(String line) {
    if (line.startsWith("{") && event(line)) {
      return;
    }
    if (line.startsWith("error: ")) {
      errorLine = line.substring("error: ".length());
    } else if (line.equals("------") || line.startsWith(" > ")) {
      return; // ErrorHandler's copy of the failed step's last lines
    } else if (line.startsWith("SLF4J")) {
      // The child has the command's slf4j binding (ChildLogging), so this is a real problem:
      // without a binding it logs nothing, registry warnings included.
      log.warn(line);
    } else {
      listener.info(line);
    }
  }

  private boolean event(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      return false;
    }
    String name = node.path("name").asText();
    switch (node.path("type").asText()) {
      case "step" -> listener.stepStarted(name);
      case "log" -> listener.stepOutput(name, node.path("line").asText());
      case "done" -> listener.stepFinished(name, node.path("millis").asLong(),
          node.path("cached").asBoolean());
      case "info" -> listener.info(node.path("message").asText());
      case "error" -> {
        error = node.path("message").asText();
        exitCode = node.hasNonNull("exitCode") ? node.get("exitCode").asInt() : null;
      }
      case "result" -> imageId = node.path("imageId").asText(null);
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The build's failure as the command said it (the event's message, else its error line). */
  String error() {
    return error != null ? error : errorLine;
  }

  /** True when the failure is the build's (a step, the Dockerfile), not the command's setup. */
  boolean buildFailed() {
    return error != null;
  }

  /** A failed RUN step's exit code, else null. */
  Integer exitCode() {
    return exitCode;
  }

  /** The built image's ID from the {@code result} event, else null. */
  String imageId() {
    return imageId;
  }
}
