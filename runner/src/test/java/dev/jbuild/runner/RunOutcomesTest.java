package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link RunOutcomes}: rrun's report to an exit status or a worded failure. */
class RunOutcomesTest {
  private static final ContainerSpec SPEC = ContainerSpec.builder()
      .lowerDirs(List.of(Path.of("/l"))).upperDir(Path.of("/u")).workDir(Path.of("/w"))
      .args("sh", "-c", "make").build();

  private static ExitStatus exitStatus(String... statusLines) throws Exception {
    return RunOutcomes.exitStatus(SPEC, new RrunInvocation.Outcome(
        HelperStatus.parse(List.of(statusLines)), 0, false), null);
  }

  @Test
  void exitStatus_exitCodeAndSignals() throws Exception {
    assertEquals(new ExitStatus(3, 0, false, 0), exitStatus("{\"exit\":3}"));
    assertEquals(new ExitStatus(137, 9, false, 0), exitStatus("{\"killed\":9}", "{\"exit\":137}"));
  }

  @Test
  void exitStatus_execFailureNamesTheCommand() {
    RunnerException e = assertThrows(RunnerException.class, () -> exitStatus(
        "{\"error\":\"exec\",\"errno\":2,\"message\":\"make: not found\"}", "{\"exit\":127}"));
    assertEquals("Tried to run [sh -c make] in the container but failed because: exec: make: not"
        + " found (errno 2)", e.getMessage());
    assertEquals("exec", e.stage());
  }

  @Test
  void exitStatus_setupFailureSaysTheContainerDidNotStart() {
    RunnerException e = assertThrows(RunnerException.class, () -> exitStatus(
        "{\"error\":\"mount overlay\",\"errno\":22,\"message\":\"Invalid argument\"}"));
    assertTrue(e.getMessage().startsWith("Tried to start the container for [sh -c make] but"),
        e.getMessage());
  }

  @Test
  void exitStatus_timeoutAndMissingStatusFail() throws Exception {
    RunnerException timeout = assertThrows(RunnerException.class, () -> RunOutcomes.exitStatus(
        SPEC, new RrunInvocation.Outcome(HelperStatus.parse(List.of()), 0, true), null));
    assertTrue(timeout.getMessage().contains("did not finish in time"), timeout.getMessage());
    RunnerException none = assertThrows(RunnerException.class, () -> exitStatus());
    assertTrue(none.getMessage().contains("without reporting a status"), none.getMessage());
  }

  @Test
  void commandForMessages_cutsLongCommands() {
    ContainerSpec longSpec = ContainerSpec.builder().lowerDirs(List.of(Path.of("/l")))
        .upperDir(Path.of("/u")).workDir(Path.of("/w")).args("x".repeat(300)).build();
    assertEquals("[" + "x".repeat(200) + "…]", RunOutcomes.commandForMessages(longSpec));
  }
}
