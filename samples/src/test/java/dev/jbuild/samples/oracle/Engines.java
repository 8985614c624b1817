package dev.jbuild.samples.oracle;

import dev.jbuild.samples.Jbuild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the two engines the oracle compares: BuildKit through Debian's docker 20.10 client ({@code
 * /usr/bin/docker}, whose built-in BuildKit is what issue 7 measures against) and the real {@code
 * jbuild} CLI in a child JVM with the test classpath. Output goes to files, not pipes, so a
 * verbose build can never block on a full pipe.
 *
 * <p>The samples' {@code Docker} and {@code Jbuild} helpers are package-private in {@code
 * dev.jbuild.samples}; this class keeps their contract ({@code JBUILD_REQUIRE_DOCKER=1} turns a
 * missing engine into a failure) for the oracle package.
 */
final class Engines {
  /** Debian's docker.io client; the newer /usr/local/bin/docker would negotiate other defaults. */
  static final String DOCKER =
      Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";

  private Engines() {}

  /** The outcome of one command. */
  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    Result assertSuccess() {
      if (exitCode != 0) {
        throw new AssertionError(shown(command) + " exited " + exitCode
            + "\nstdout:\n" + tail(stdout) + "\nstderr:\n" + tail(stderr));
      }
      return this;
    }

    /** The command without the child JVM's (long) classpath. */
    static String shown(List<String> command) {
      List<String> out = new ArrayList<>(command);
      int cp = out.indexOf("-cp");
      if (cp >= 0 && cp + 1 < out.size()) {
        out.set(cp + 1, "<test classpath>");
      }
      return String.join(" ", out);
    }

    static String tail(String s) {
      return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }
  }

  /**
   * Why the oracle cannot run here, or null when a Docker engine answers. With {@code
   * JBUILD_REQUIRE_DOCKER=1} (CI) a missing engine is an error instead of a reason to skip.
   */
  static String dockerUnavailableReason() {
    String reason;
    try {
      Result info = exec(List.of(DOCKER, "info"), Map.of(), 60);
      reason = info.exitCode() == 0 ? null
          : "no Docker engine answers (" + DOCKER + " info exited " + info.exitCode() + ")";
    } catch (IOException e) {
      reason = "docker is not installed (" + e.getMessage() + ")";
    }
    if (reason != null && "1".equals(System.getenv("JBUILD_REQUIRE_DOCKER"))) {
      throw new AssertionError("JBUILD_REQUIRE_DOCKER=1 but " + reason);
    }
    return reason;
  }

  static Result docker(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(DOCKER);
    cmd.addAll(List.of(args));
    return exec(cmd, Map.of("DOCKER_BUILDKIT", "1"), 300);
  }

  /** Runs {@code jbuild --root store args...} as a user would, in a child JVM. */
  static Result jbuild(Path store, String... args) throws IOException {
    // The quick JIT and the suite's class-data archive (CliJvm): the oracle starts it ~300 times.
    List<String> cmd = new Jbuild(store).command();
    cmd.addAll(List.of(args));
    return exec(cmd, Map.of(), 600);
  }

  static Result exec(List<String> cmd, Map<String, String> env, long timeoutSeconds)
      throws IOException {
    Path out = Files.createTempFile("oracle-out", ".txt");
    Path err = Files.createTempFile("oracle-err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out after " + timeoutSeconds + " s: " + cmd);
      }
      return new Result(cmd, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + cmd, e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
