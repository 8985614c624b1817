package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/library-api.md}'s example compiles, as it stands, against the library on this
 * module's classpath: the documented API and the code cannot drift apart.
 */
class LibraryApiDocTest {
  @TempDir Path tmp;

  @Test
  void theDocumentedExampleCompiles() throws IOException {
    String doc = Files.readString(doc(), StandardCharsets.UTF_8);
    Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(doc);
    assertTrue(block.find(), "docs/library-api.md has no ```java block");
    String source = block.group(1);
    assertTrue(source.contains("public class LibraryExample"), source);
    Path file = tmp.resolve("LibraryExample.java");
    Files.writeString(file, source);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int status = javac.run(null, errors, errors, "-d", tmp.resolve("classes").toString(),
        "-classpath", System.getProperty("java.class.path"), "-Xlint:all", "-Werror",
        file.toString());
    assertEquals(0, status, errors.toString(StandardCharsets.UTF_8));
  }

  private static Path doc() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path doc = dir.resolve("docs/library-api.md");
      if (Files.isRegularFile(doc)) {
        return doc;
      }
    }
    throw new IllegalStateException("docs/library-api.md not found above "
        + Path.of("").toAbsolutePath());
  }
}
