package dev.jbuild.samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * jbuild's executor image for the tests that run it in {@code docker run}: built by {@code
 * samples/ci/build-executor.sh} with the jar this Maven reactor made (so the script does not run
 * Maven again) and loaded into Docker; plus the docker and script calls those tests share.
 */
public final class ExecutorImage {
  /** The image's non-root user and group (samples/ci/executor/etc), mode D's. */
  public static final int USER = 1000;

  private ExecutorImage() {}

  /**
   * The {@code docker run} options of issue 12's mode D: the image's user 1000 with seccomp
   * unconfined, and AppArmor unconfined where AppArmor is active (BuildKit's rootless setup: a
   * user namespace and its mounts need both); no --privileged, no added capability.
   */
  public static List<String> modeDOptions() throws IOException {
    List<String> opts = new ArrayList<>(List.of("--user", USER + ":" + USER, "--security-opt",
        "seccomp=unconfined"));
    Path apparmor = Path.of("/sys/module/apparmor/parameters/enabled");
    if (Files.isReadable(apparmor) && Files.readString(apparmor).strip().equals("Y")) {
      opts.addAll(List.of("--security-opt", "apparmor=unconfined"));
    }
    return opts;
  }

  /**
   * Builds the image as {@code tag} with a store under {@code work} and loads it into Docker.
   *
   * @return how long the build took, in milliseconds
   */
  static long buildAndLoad(Path work, String tag) throws IOException, InterruptedException {
    Path top = Jbuild.samplesDir().getParent();
    Path archive = work.resolve("executor.tar");
    Path jar = top.resolve("builder/target/jbuild.jar");
    Map<String, String> env = Files.isRegularFile(jar)
        ? Map.of("JBUILD_ROOT", work.resolve("host-store").toString(), "JBUILD_JAR", jar.toString())
        : Map.of("JBUILD_ROOT", work.resolve("host-store").toString());
    long t0 = System.nanoTime();
    Jbuild.Result build = script(work, List.of(top.resolve("samples/ci/build-executor.sh")
        .toString(), "--tag", tag, "--save", archive.toString()), env);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (build.exitCode() != 0) {
      throw new AssertionError("build-executor.sh failed:\n" + build.stdout());
    }
    docker(true, List.of("load", "-i", archive.toString()));
    return ms;
  }

  /** {@code docker ARGS}; with {@code mustSucceed}, a non-zero exit fails the test with output. */
  static Jbuild.Result docker(boolean mustSucceed, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("docker"));
    cmd.addAll(args);
    Jbuild.Result r = Docker.exec(cmd);
    if (mustSucceed && r.exitCode() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " exited " + r.exitCode() + "\nstdout:\n"
          + r.stdout() + "\nstderr:\n" + r.stderr());
    }
    return r;
  }

  /**
   * Runs a command with its output (both streams) captured into a log under {@code work}, for
   * the failure message; stdin is /dev/null. Gives up after 10 minutes.
   */
  static Jbuild.Result script(Path work, List<String> cmd, Map<String, String> env)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(work, "script", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " did not finish:\n" + Files.readString(log));
    }
    return new Jbuild.Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8), "");
  }
}
