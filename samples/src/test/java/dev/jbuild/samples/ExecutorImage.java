package dev.jbuild.samples;

import dev.jbuild.layerstore.fs.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
   * <p>The image is built once per test JVM: build-executor.sh's work (import of the Debian
   * base, the 50 MB context, save) is the same for every test class, so later calls only {@code
   * docker load} the saved archive again, under their own tag. The archive and the store that
   * built it are under {@code samples/target/executor-image/}, removed when the JVM exits;
   * {@code work} gets the script's log.
   *
   * @return how long the build took, in milliseconds (the first call's build, when reused)
   */
  public static synchronized long buildAndLoad(Path work, String tag)
      throws IOException, InterruptedException {
    if (archive == null) {
      Path top = Jbuild.samplesDir().getParent();
      Path dir = top.resolve("samples/target/executor-image/" + CACHE_TAG.replace(':', '-'));
      Files.createDirectories(dir);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          Trees.deleteRecursively(dir);
        } catch (IOException e) {
          System.err.println("ExecutorImage: could not remove " + dir + ": " + e.getMessage());
        }
      }));
      Path saved = dir.resolve("executor.tar");
      Path jar = top.resolve("builder/target/jbuild.jar");
      Map<String, String> env = Files.isRegularFile(jar)
          ? Map.of("JBUILD_ROOT", dir.resolve("host-store").toString(), "JBUILD_JAR",
              jar.toString())
          : Map.of("JBUILD_ROOT", dir.resolve("host-store").toString());
      long t0 = System.nanoTime();
      Jbuild.Result build = script(work, List.of(top.resolve("samples/ci/build-executor.sh")
          .toString(), "--tag", CACHE_TAG, "--save", saved.toString()), env);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (build.exitCode() != 0) {
        throw new AssertionError("build-executor.sh failed:\n" + build.stdout());
      }
      archive = saved;
      buildMs = ms;
    }
    docker(true, List.of("load", "-i", archive.toString()));
    docker(true, List.of("tag", CACHE_TAG, tag));
    // Only the archive's own name goes: the image stays, under the caller's tag.
    docker(true, List.of("rmi", CACHE_TAG));
    return buildMs;
  }

  /**
   * The archive's own tag, never one a test uses: each test class removes its tag when done.
   */
  private static final String CACHE_TAG =
      "jbuild-executor-cache-" + UUID.randomUUID().toString().substring(0, 8) + ":dev";
  /** The saved image, once built. */
  private static Path archive;
  private static long buildMs;

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
