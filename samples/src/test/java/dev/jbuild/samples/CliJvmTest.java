package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CliJvm}: the options that make the suite's CLI starts cheaper must never change what
 * the tests see. The archive is made and really used (a JVM told to insist on it starts), a
 * broken or missing archive costs only speed (same output, nothing on stderr), and the child's
 * classpath is the test classpath without the test classes.
 */
class CliJvmTest {
  @TempDir Path work;

  private record Out(int exit, String stdout, String stderr) {}

  private Out run(List<String> cmd) throws Exception {
    Path out = work.resolve("out.txt");
    Path err = work.resolve("err.txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the CLI did not finish: " + cmd);
    return new Out(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<String> version(List<String> command) {
    List<String> cmd = new ArrayList<>(command);
    cmd.add("--version");
    return cmd;
  }

  private static String archiveOption(List<String> command) {
    return command.stream().filter(o -> o.startsWith("-XX:SharedArchiveFile=")
        || o.startsWith("-XX:AOTCache=")).findFirst().orElse(null); // AOTCache: Java 25+
  }

  /** True when CDS can archive the classpath: only jars, or directories that are empty. */
  private static boolean archivable(String classpath) {
    return Arrays.stream(classpath.split(File.pathSeparator)).map(Path::of)
        .allMatch(p -> !Files.isDirectory(p) || p.toFile().list().length == 0);
  }

  @Test
  void classpath_isTheTestClasspathWithoutTheTestClasses() throws Exception {
    Path own = Path.of(CliJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> full = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
    List<String> child = List.of(CliJvm.classpath().split(File.pathSeparator));
    List<String> expected = new ArrayList<>(full);
    expected.removeIf(e -> Path.of(e).toAbsolutePath().equals(own));
    assertEquals(expected, child);
    assertEquals(full.size() - 1, child.size(), "the test classes were not on the classpath");
  }

  @Test
  void quickAndFullJit_startTheCli_withNothingOnStderr() throws Exception {
    for (CliJvm.Jit jit : CliJvm.Jit.values()) {
      List<String> command = CliJvm.command(work.resolve("store"), jit);
      assertEquals(jit == CliJvm.Jit.QUICK, command.contains("-XX:TieredStopAtLevel=1"),
          command.toString());
      Out out = run(version(command));
      assertEquals(0, out.exit(), out.stderr());
      assertTrue(out.stdout().startsWith("jbuild "), out.stdout());
      assertEquals("", out.stderr());
    }
  }

  /** Under Maven the classpath is jars: the archive must exist and fit it ({@code -Xshare:on}). */
  @Test
  void archive_isMadeAndUsable_whenTheClasspathIsJars() throws Exception {
    List<String> command = CliJvm.command(work.resolve("store"), CliJvm.Jit.QUICK);
    String option = archiveOption(command);
    if (!archivable(CliJvm.classpath())) {
      assertEquals(null, option, "an archive for class directories");
      return;
    }
    assertTrue(option != null, "no class-data archive for a classpath of jars: " + command);
    List<String> strict = new ArrayList<>(command);
    strict.replaceAll(o -> o.equals("-Xshare:auto") ? "-Xshare:on" : o);
    if (option.startsWith("-XX:AOTCache=")) {
      strict.add(strict.indexOf(option), "-XX:AOTMode=on"); // fail instead of running without
    }
    strict.remove("-Xlog:disable"); // so that a refusal says why
    Out out = run(version(strict));
    assertEquals(0, out.exit(), "the JVM refused the archive:\n" + out.stdout() + out.stderr());
  }

  /**
   * Attack: an archive that is not one, one cut after its header, none, and a good one for
   * another classpath (the same jars in another order; JDK 17 then prints "Unable to use shared
   * archive" on stdout unless logging is off): the CLI only starts slower, its output does not
   * change. (An archive cut in the middle of its regions crashes JDK 17 with SIGBUS, which is
   * why {@link CliJvm} uses one only after the JVM that wrote it exited 0.)
   */
  @Test
  void brokenMissingOrStaleArchive_changesNothingTheTestsSee() throws Exception {
    List<String> command = CliJvm.command(work.resolve("store"), CliJvm.Jit.QUICK);
    String option = archiveOption(command);
    String classpath = CliJvm.classpath();
    List<String> entries = new ArrayList<>(List.of(classpath.split(File.pathSeparator)));
    java.util.Collections.reverse(entries);
    String reversed = String.join(File.pathSeparator, entries);
    Path garbage = Files.write(work.resolve("garbage.jsa"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Path header = work.resolve("header.jsa");
    byte[] real = option == null ? new byte[0]
        : Files.readAllBytes(Path.of(option.substring(option.indexOf('=') + 1)));
    Files.write(header, Arrays.copyOf(real, Math.min(real.length, 100)));
    List<List<String>> cases = new ArrayList<>(List.of(List.of(garbage.toString(), classpath),
        List.of(header.toString(), classpath),
        List.of(work.resolve("missing.jsa").toString(), classpath)));
    if (option != null) {
      cases.add(List.of(option.substring(option.indexOf('=') + 1), reversed));
    }
    for (List<String> c : cases) {
      List<String> cmd = new ArrayList<>(command);
      cmd.removeIf(o -> o.startsWith("-XX:SharedArchiveFile=") || o.equals("-Xshare:auto")
          || o.equals("-Xlog:disable") || o.startsWith("-XX:AOTCache="));
      int at = cmd.indexOf("-cp");
      cmd.set(at + 1, c.get(1));
      cmd.addAll(at, List.of("-XX:SharedArchiveFile=" + c.get(0), "-Xshare:auto",
          "-Xlog:disable"));
      Out out = run(version(cmd));
      String what = c.get(0) + (c.get(1).equals(classpath) ? "" : " (another classpath)");
      assertEquals(0, out.exit(), what + ": " + out.stderr());
      assertTrue(out.stdout().startsWith("jbuild "), what + ": " + out.stdout());
      assertEquals(1, out.stdout().lines().count(), what + ": " + out.stdout());
      assertEquals("", out.stderr(), what);
    }
  }
}
