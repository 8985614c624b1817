package dev.jbuild.builder.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --progress=rawjson}: one JSON object per line for tools — {@code {"type":"step",…}},
 * {@code {"type":"log",…}}, {@code {"type":"done",…}}, {@code {"type":"info",…}}, and last
 * either {@code {"type":"result","imageId":…,"manifestDigest":…,"pushed":[…]}} or {@code
 * {"type":"error","message":…,"exitCode":…}} (exitCode for a failed RUN) — each with an RFC 3339
 * {@code time} and, for step events, the step's {@code id} and {@code name}.
 */
public final class JsonProgress implements BuildListener {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final AtomicInteger next = new AtomicInteger(1);
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();

  /** Writes events to {@code out}. */
  public JsonProgress(PrintStream out) {
    this.out = out;
  }

  private ObjectNode event(String type, String label) {
    ObjectNode node = JSON.createObjectNode();
    node.put("type", type);
    node.put("time", Instant.now().toString());
    if (label != null) {
      node.put("id", ids.computeIfAbsent(label, l -> next.getAndIncrement()));
      node.put("name", label);
    }
    return node;
  }

  private void emit(ObjectNode node) {
    synchronized (out) {
      out.println(node.toString());
    }
  }

  @Override
  public void stepStarted(String label) {
    emit(event("step", label));
  }

  @Override
  public void stepOutput(String label, String line) {
    emit(event("log", label).put("line", line));
  }

  @Override
  public void stepFinished(String label, long millis, boolean cached) {
    emit(event("done", label).put("cached", cached).put("millis", millis));
  }

  @Override
  public void info(String message) {
    emit(event("info", null).put("message", message));
  }

  @Override
  public void failed(String message, Integer exitCode) {
    ObjectNode node = event("error", null).put("message", message);
    if (exitCode != null) {
      node.put("exitCode", exitCode);
    }
    emit(node);
  }

  @Override
  public void finished(String imageId, String manifestDigest, java.util.List<String> pushed) {
    ObjectNode node = event("result", null).put("imageId", imageId)
        .put("manifestDigest", manifestDigest);
    pushed.forEach(node.putArray("pushed")::add);
    emit(node);
  }
}
