package dev.jbuild.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.layerstore.oci.ContainerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link HistoryText}; expected strings are what Go's fmt and time print. */
class HistoryTextTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void goDuration_matchesGoTimeDurationString() {
    assertEquals("0s", HistoryText.goDuration(null));
    assertEquals("0s", HistoryText.goDuration(0L));
    assertEquals("500ms", HistoryText.goDuration(SECOND / 2));
    assertEquals("1.5s", HistoryText.goDuration(3 * SECOND / 2));
    assertEquals("1m30s", HistoryText.goDuration(90 * SECOND));
    assertEquals("2h0m0s", HistoryText.goDuration(7200 * SECOND));
  }

  @Test
  void healthcheck_printsTheGoStructAsBuildKitDoes() {
    ContainerConfig.Healthcheck hc = new ContainerConfig.Healthcheck(
        List.of("CMD-SHELL", "curl -f http://localhost/"), 300 * SECOND, 3 * SECOND, null, null,
        3);
    assertEquals("&{[\"CMD-SHELL\" \"curl -f http://localhost/\"] \"5m0s\" \"3s\" \"0s\" \"0s\""
        + " '\\x03'}", HistoryText.healthcheck(hc));
  }

  @Test
  void healthcheck_printableRetriesAreARune() {
    ContainerConfig.Healthcheck hc =
        new ContainerConfig.Healthcheck(List.of("NONE"), null, null, null, null, 65);
    assertEquals("&{[\"NONE\"] \"0s\" \"0s\" \"0s\" \"0s\" 'A'}", HistoryText.healthcheck(hc));
  }
}
