package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build --progress=tty} in a real pseudo-terminal ({@code script} from util-linux) sized
 * with {@code stty cols}, with no {@code $COLUMNS}: jbuild reads the size from the terminal
 * (TIOCGWINSZ), so at 80 and 160 columns every line is cut to {@code width - 1} columns, never
 * wrapped, and the last frame ends with BuildKit's lines (issue 17 item 1). The exact layout is
 * compared with goldens in builder's {@code TtyProgressTest}.
 */
@Tag("root")
class TtyProgressPtyTest {
  @TempDir static Path work;
  static Jbuild jbuild;

  @BeforeAll
  static void baseImage() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
  }

  @ParameterizedTest
  @ValueSource(ints = {80, 160})
  void ttyProgress_usesTheTerminalsWidth(int columns) throws Exception {
    Path ctx = Files.createDirectories(work.resolve("ctx-" + columns));
    String command = "echo " + "a-long-command-line-".repeat(10) + columns;
    Files.writeString(ctx.resolve("Dockerfile"),
        "FROM localbase/busybox:1\nRUN " + command + "\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String inner = "stty cols " + columns + " rows 40; exec " + java + " -cp "
        + System.getProperty("java.class.path") + " dev.jbuild.builder.cli.Main --root "
        + jbuild.root() + " build --progress=tty -t tty:" + columns + " " + ctx;
    Path typescript = work.resolve("typescript-" + columns);
    ProcessBuilder pb = new ProcessBuilder("script", "-qfec", inner, typescript.toString())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().remove("COLUMNS");
    assertEquals(0, pb.start().waitFor());
    String screen = Files.readString(typescript, StandardCharsets.UTF_8)
        .replaceAll("\033\\[[0-9;]*[A-Za-z]", "").replace("\r", "");
    List<String> lines = screen.lines().filter(l -> !l.startsWith("Script ")).toList();
    for (String l : lines) {
      assertTrue(l.length() < columns, "wider than the terminal: " + l);
    }
    List<String> last = lines.subList(lines.lastIndexOf(lines.stream()
        .filter(l -> l.startsWith("[+] Building")).reduce((a, b) -> b).orElseThrow()),
        lines.size());
    assertTrue(last.get(0).matches("\\[\\+\\] Building \\d+\\.\\ds \\(3/3\\) FINISHED"),
        screen);
    String run = " => [2/2] RUN " + command;
    String runLine = last.stream().filter(l -> l.startsWith(" => [2/2] RUN")).findFirst()
        .orElseThrow(() -> new AssertionError(screen));
    assertEquals(columns - 1, runLine.length(), runLine);
    assertTrue(run.startsWith(runLine.substring(0, columns - 1 - 7)), runLine);
    assertTrue(last.stream().anyMatch(l -> l.startsWith(" => exporting to image ")), screen);
    assertTrue(last.stream().anyMatch(l -> l.startsWith(" => => naming to docker.io/library/tty:"
        + columns + " ")), screen);
  }
}
