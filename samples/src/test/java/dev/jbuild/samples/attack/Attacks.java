package dev.jbuild.samples.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.samples.Jbuild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Checks shared by the attack suite: how a refusal must look to the user, a clean store. */
final class Attacks {
  /** A Java class name as the whole error, which means an unchecked bug, not a refusal. */
  private static final Pattern BUG = Pattern.compile(
      "error: (\\w+\\.)*\\w+(Exception|Error)\\b");

  /** Control characters other than newline and tab: terminal escapes, NUL, DEL, C1 codes. */
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]");

  private Attacks() {}

  /**
   * Either the command succeeded, or it failed the way a user should see a refusal: exit code 1,
   * an {@code error:} line, no stack trace, and not a bare exception class name. Either way
   * stderr holds no control characters but newlines and tabs.
   *
   * @return whether it succeeded
   */
  static boolean succeededOrRefusedCleanly(Jbuild.Result r, String what) {
    // A name from a hostile layer echoed raw could drive the user's terminal (ESC sequences).
    assertFalse(CONTROL.matcher(r.stderr()).find(), what + ": control characters on stderr: "
        + r.stderr().replaceAll("\\p{Cntrl}", "?"));
    if (r.exitCode() == 0) {
      System.out.println("[attack] " + what + ": accepted");
      return true;
    }
    System.out.println("[attack] " + what + ": refused: " + r.stderr().lines()
        .filter(l -> l.startsWith("error: ")).findFirst().orElse(r.stderr().strip()));
    String diagnosis = what + ": exit " + r.exitCode() + "\nstdout:\n" + r.stdout()
        + "\nstderr:\n" + r.stderr();
    assertEquals(1, r.exitCode(), diagnosis);
    assertTrue(r.stderr().contains("error: "), diagnosis);
    assertFalse(r.stderr().contains("\tat "), "stack trace shown: " + diagnosis);
    assertFalse(BUG.matcher(r.stderr()).find(), "an unchecked exception, not a refusal: "
        + diagnosis);
    return false;
  }

  /** Fails unless the command was refused cleanly (see {@link #succeededOrRefusedCleanly}). */
  static void assertRefused(Jbuild.Result r, String what) {
    assertFalse(succeededOrRefusedCleanly(r, what), what + " was accepted:\n" + r.stdout()
        + r.stderr());
  }

  /** {@code jbuild verify} finds nothing corrupt in the store. */
  static void assertStoreVerifies(Jbuild jbuild, String attack)
      throws IOException, InterruptedException {
    Jbuild.Result verify = jbuild.run("verify");
    assertEquals(0, verify.exitCode(), attack + ": jbuild verify after the attack:\n"
        + verify.stdout() + verify.stderr());
  }

  /** Writes {@code dockerfile} into a fresh context directory {@code dir} and builds it. */
  static Jbuild.Result build(Jbuild jbuild, Path dir, String dockerfile, String tag)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("Dockerfile"), dockerfile);
    return jbuild.run("build", "--progress=plain", "-t", tag, dir.toString());
  }
}
