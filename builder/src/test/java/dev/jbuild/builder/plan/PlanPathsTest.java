package dev.jbuild.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Tests for {@link PlanPaths}. */
class PlanPathsTest {
  @Test
  void absolute_resolvesAgainstTheWorkingDirectory() {
    assertEquals("/app/src", PlanPaths.absolute("/app", "src"));
    assertEquals("/etc", PlanPaths.absolute("/app", "/etc/"));
    assertEquals("/", PlanPaths.absolute("/app", ".."));
    assertEquals("/", PlanPaths.absolute("/", "../../.."));
    assertEquals("/a/c", PlanPaths.absolute("/a/b", "../c/./"));
  }
}
