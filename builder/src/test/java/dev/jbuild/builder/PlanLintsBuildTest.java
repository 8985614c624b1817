package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.layerstore.LayerStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner's build checks ({@link dev.jbuild.builder.plan.PlanLints}) reach the build's
 * progress as {@code WARN: Dockerfile:LINE: Rule: detail} lines, like the parser's, also when
 * the build then fails. {@code FROM scratch} builds only: no root, no runner.
 */
class PlanLintsBuildTest {
  @TempDir Path tmp;
  private LayerStore store;
  private final List<String> infos = new ArrayList<>();
  private final BuildListener listener = new BuildListener() {
    @Override
    public void info(String message) {
      infos.add(message);
    }
  };

  @BeforeEach
  void openStore() throws Exception {
    store = LayerStore.open(tmp.resolve("store"));
  }

  private List<String> warnings() {
    return infos.stream().filter(m -> m.startsWith("WARN: ")).toList();
  }

  private BuildResult build(String dockerfile, String dockerignore) throws Exception {
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("Dockerfile"), dockerfile, StandardCharsets.UTF_8);
    Files.writeString(context.resolve("a.txt"), "a\n", StandardCharsets.UTF_8);
    if (dockerignore != null) {
      Files.writeString(context.resolve(".dockerignore"), dockerignore, StandardCharsets.UTF_8);
    }
    BuildRequest request = BuildRequest.builder(context).dockerfile(context.resolve("Dockerfile"))
        .build();
    return new ImageBuilder(store, new FakeCommandRunner(), StoredBases.of(store),
        () -> Instant.EPOCH).build(request, listener);
  }

  @Test
  void planWarningsArePrintedWithTheParsersAndHonourCheckSkip() throws Exception {
    build("FROM scratch\nENV API_TOKEN=x\nLABEL a=$NOPE\nCMD [\"a\"]\nMAINTAINER me\nCMD [\"b\"]\n",
        null);
    assertEquals(List.of(
        "WARN: Dockerfile:5: MaintainerDeprecated: Maintainer instruction is deprecated in favor"
            + " of using label",
        "WARN: Dockerfile:2: SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for"
            + " sensitive data (ENV \"API_TOKEN\")",
        "WARN: Dockerfile:3: UndefinedVar: Usage of undefined variable '$NOPE'",
        "WARN: Dockerfile:4: MultipleInstructionsDisallowed: Multiple CMD instructions should not"
            + " be used in the same stage because only the last one will be used"), warnings());
    infos.clear();
    build("# check=skip=all\nFROM scratch\nENV API_TOKEN=x\nLABEL a=$NOPE\n", null);
    assertEquals(List.of(), warnings());
  }

  @Test
  void copyIgnoredFileIsWarnedBeforeTheCopyFails() throws Exception {
    BuildException e = assertThrows(BuildException.class,
        () -> build("FROM scratch\nCOPY a.txt /\n", "a.txt\n"));
    assertTrue(e.getMessage().contains("\"/a.txt\": not found"), e.getMessage());
    assertEquals(List.of("WARN: Dockerfile:2: CopyIgnoredFile: Attempting to Copy file \"a.txt\""
        + " that is excluded by .dockerignore"), warnings());
  }
}
