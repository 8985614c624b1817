package dev.jbuild.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.parser.DockerfileParser;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Plan goldens: {@code src/test/resources/plans/<case>/} holds a Dockerfile (the oracle suite's
 * case of the same name, which BuildKit builds in {@code samples}), optionally {@code
 * base-config.json} (else {@code plans/base-config.json}, the oracle's imported busybox) and
 * {@code plan.properties} ({@code build-args}, {@code target}), and {@code expected-plan.txt}:
 * the plan as {@link PlanPrinter} writes it, or {@code error: <message>}. No root, no docker: a
 * change to stage selection, ARG/ENV scoping, ONBUILD, history text, configs or cache keys shows
 * here as a diff.
 *
 * <p>After an intended change, regenerate with {@code -Djbuild.updateGoldens=true} and review the
 * diff.
 */
class PlanGoldenTest {
  private static final Path ROOT = Path.of("src/test/resources/plans");
  private static final boolean UPDATE = Boolean.getBoolean("jbuild.updateGoldens");

  @TestFactory
  Stream<DynamicTest> plansMatchTheirGoldens() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path dir : caseDirs()) {
      tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }
    return tests.stream();
  }

  /** Every oracle case has a golden, and its Dockerfile is the oracle's. */
  @Test
  void everyOracleCaseHasAGoldenWithTheSameDockerfile() throws IOException {
    Path oracle = Path.of("../samples/src/test/resources/oracle");
    if (!Files.isDirectory(oracle)) {
      // Only a checkout without the samples module; CI always has it.
      return;
    }
    int cases = 0;
    try (Stream<Path> s = Files.list(oracle)) {
      for (Path c : s.filter(Files::isDirectory).toList()) {
        cases++;
        Path golden = ROOT.resolve(c.getFileName());
        assertTrue(Files.isRegularFile(golden.resolve("expected-plan.txt")),
            "no plan golden for oracle case " + c.getFileName());
        Properties p = properties(c.resolve("oracle.properties"));
        String file = p.getProperty("file", "Dockerfile");
        assertEquals(Files.readString(c.resolve(file)),
            Files.readString(golden.resolve("Dockerfile")),
            "plans/" + c.getFileName() + "/Dockerfile differs from the oracle's " + file);
      }
    }
    assertTrue(cases >= 52, "expected the 52 oracle cases, found " + cases);
  }

  private static void check(Path dir) throws Exception {
    String actual = planText(dir);
    Path expected = dir.resolve("expected-plan.txt");
    if (UPDATE) {
      Files.writeString(expected, actual);
      return;
    }
    assertTrue(Files.exists(expected), "missing " + expected
        + "; generate it with -Djbuild.updateGoldens=true and review it");
    assertEquals(Files.readString(expected), actual, "plan of " + dir.getFileName());
  }

  private static String planText(Path dir) throws IOException, InterruptedException {
    Properties p = properties(dir.resolve("plan.properties"));
    Map<String, String> buildArgs = new LinkedHashMap<>();
    String args = p.getProperty("build-args", "").trim();
    if (!args.isEmpty()) {
      for (String kv : args.split("\\s+")) {
        int eq = kv.indexOf('=');
        buildArgs.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    Path configFile = dir.resolve("base-config.json");
    ImageConfig base = OciJson.fromBytes(Files.readAllBytes(Files.exists(configFile)
        ? configFile : ROOT.resolve("base-config.json")), ImageConfig.class);
    String text = Files.readString(dir.resolve("Dockerfile"), StandardCharsets.UTF_8);
    PlanOptions options = new PlanOptions("Dockerfile", p.getProperty("target"),
        PlanFixtures.AMD64, buildArgs, NetworkPolicy.NONE, false, Set.of());
    try {
      return PlanPrinter.print(BuildPlanner.plan(DockerfileParser.parse(text, "Dockerfile"),
          text, options, ref -> base));
    } catch (BuildException | DockerfileSyntaxException e) {
      return "error: " + e.getMessage() + "\n";
    }
  }

  private static List<Path> caseDirs() throws IOException {
    try (Stream<Path> s = Files.list(ROOT)) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }

  private static Properties properties(Path file) throws IOException {
    Properties p = new Properties();
    if (Files.exists(file)) {
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      }
    }
    return p;
  }
}
