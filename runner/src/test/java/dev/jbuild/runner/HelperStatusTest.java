package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HelperStatusTest {
  @Test
  void parse_fullRun() throws Exception {
    HelperStatus s = HelperStatus.parse(List.of("{\"pid\":42}",
        "{\"stub\":\"/etc/hosts\",\"before\":[10,5],\"after\":[11,6]}", "{\"killed\":9}",
        "{\"exit\":137}", ""));
    assertEquals(42, s.pid);
    assertEquals(List.of(new HelperStatus.Stub("/etc/hosts", Instant.ofEpochSecond(10, 5),
        Instant.ofEpochSecond(11, 6))), s.stubs);
    assertEquals(9, s.commandKilledBy);
    assertEquals(137, s.exit);
    assertNull(s.failure);
  }

  @Test
  void parse_keepsFirstFailure() throws Exception {
    HelperStatus s = HelperStatus.parse(List.of(
        "{\"error\":\"mount overlay\",\"errno\":22,\"message\":\"mount: Invalid argument\"}",
        "{\"error\":\"later\",\"errno\":1,\"message\":\"x\"}", "{\"exit\":125}"));
    assertEquals(new HelperStatus.Failure("mount overlay", 22, "mount: Invalid argument"), s.failure);
  }

  @Test
  void parse_deviceFallback() throws Exception {
    HelperStatus s = HelperStatus.parse(List.of("{\"pid\":42}",
        "{\"devices\":\"fallback\",\"errno\":22,\"message\":\"attach: Invalid argument\"}",
        "{\"exit\":0}"));
    assertEquals("attach: Invalid argument", s.deviceFallback);
    assertEquals(0, s.exit);
  }

  @Test
  void parse_rejectsUnknownLines() {
    assertThrows(IOException.class, () -> HelperStatus.parse(List.of("{\"what\":1}")));
  }
}
