package dev.jbuild.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What rrun reported on its status file (one JSON object per line; see rrun.c). */
final class HelperStatus {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A mount-point stub created in the rootfs, with its parent's mtime before and after. */
  record Stub(String path, Instant parentMtimeBefore, Instant parentMtimeAfter) {}

  /** A setup or exec failure. */
  record Failure(String stage, int errno, String message) {}

  int pid;
  final List<Stub> stubs = new ArrayList<>();
  Failure failure;
  Integer exit;
  Integer signal;
  Integer commandKilledBy;
  /** Why rrun fell back from the eBPF device program to no CAP_MKNOD and a nodev rootfs. */
  String deviceFallback;

  static HelperStatus parse(List<String> lines) throws IOException {
    HelperStatus status = new HelperStatus();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = MAPPER.readTree(line);
      if (node.has("pid")) {
        status.pid = node.get("pid").asInt();
      } else if (node.has("stub")) {
        status.stubs.add(new Stub(node.get("stub").asText(), instant(node.get("before")),
            instant(node.get("after"))));
      } else if (node.has("error")) {
        // The first failure is the cause; later ones are consequences.
        if (status.failure == null) {
          status.failure = new Failure(node.get("error").asText(), node.path("errno").asInt(),
              node.path("message").asText());
        }
      } else if (node.has("devices")) {
        status.deviceFallback = node.path("message").asText();
      } else if (node.has("killed")) {
        status.commandKilledBy = node.get("killed").asInt();
      } else if (node.has("exit")) {
        status.exit = node.get("exit").asInt();
      } else if (node.has("signal")) {
        status.signal = node.get("signal").asInt();
      } else {
        throw new IOException("unknown status line: " + line);
      }
    }
    return status;
  }

  private static Instant instant(JsonNode pair) {
    if (pair == null || !pair.isArray() || pair.size() != 2) {
      return null;
    }
    return Instant.ofEpochSecond(pair.get(0).asLong(), pair.get(1).asLong());
  }
}
