package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DirectorySource#namedContext}: a {@code --build-context} directory with its own {@code
 * .dockerignore}, as BuildKit's testNamedLocalContext expects.
 */
class DirectorySourceNamedContextTest {
  @TempDir Path dir;

  @Test
  void itsOwnDockerignore_hidesWhatItExcludes() throws IOException {
    Files.writeString(dir.resolve("out"), "dummy-result");
    Files.writeString(dir.resolve("out2"), "dummy-result");
    Files.writeString(dir.resolve(".dockerignore"), "out2\n");
    DirectorySource source = DirectorySource.namedContext(dir, "context base");
    assertTrue(source.locate("out").isPresent());
    assertFalse(source.locate("out2").isPresent());
    assertEquals(List.of(".dockerignore", "out"), source.list("").stream().sorted().toList());
  }

  @Test
  void withoutDockerignore_everythingIsThere() throws IOException {
    Files.writeString(dir.resolve("out2"), "x");
    assertTrue(DirectorySource.namedContext(dir, "context base").locate("out2").isPresent());
  }

  @Test
  void aDockerignoreThatIsADirectoryOrBroken_isHandled() throws IOException {
    Files.createDirectories(dir.resolve(".dockerignore"));
    Files.writeString(dir.resolve("out2"), "x");
    // Not a file: ignored, as a missing one.
    assertTrue(DirectorySource.namedContext(dir, "context base").locate("out2").isPresent());
    Files.delete(dir.resolve(".dockerignore"));
    Files.write(dir.resolve(".dockerignore"), new byte[] {'o', (byte) 0xff, '\n'});
    IOException e = assertThrows(IOException.class,
        () -> DirectorySource.namedContext(dir, "context base"));
    assertTrue(e.getMessage().contains(".dockerignore"), e.getMessage());
  }
}
