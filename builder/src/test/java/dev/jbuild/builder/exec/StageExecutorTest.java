package dev.jbuild.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for the pure helpers of {@link StageExecutor}. */
class StageExecutorTest {
  @Test
  void absolute_resolvesAgainstTheWorkingDirectory() {
    assertEquals("/app/src", StageExecutor.absolute("/app", "src"));
    assertEquals("/etc", StageExecutor.absolute("/app", "/etc/"));
    assertEquals("/", StageExecutor.absolute("/app", ".."));
    assertEquals("/", StageExecutor.absolute("/", "../../.."));
    assertEquals("/a/c", StageExecutor.absolute("/a/b", "../c/./"));
  }

  @Test
  void goList_rendersLikeGoPercentQ() {
    assertEquals("[\"sh\" \"/app/app.sh\"]", StageExecutor.goList(List.of("sh", "/app/app.sh")));
    assertEquals("[\"a \\\"b\\\"\" \"c\\\\d\"]", StageExecutor.goList(List.of("a \"b\"", "c\\d")));
    assertEquals("[]", StageExecutor.goList(List.of()));
  }
}
