package dev.jbuild.samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway non-root user for {@link MavenPluginIntegrationTest}: made with {@code useradd}
 * (its default {@code /etc/subuid} and {@code /etc/subgid} ranges, as {@code RootlessBuildTest}),
 * with a home of its own under the test's directory holding a copy of the Maven project, its
 * settings and its jbuild store; removed (with its ranges) by {@link #close}.
 *
 * <p>Its Maven reads the plugin from a staged local repository whose third-party entries link
 * into the outer build's repository. That repository is root's ({@code /root/.m2}, mode 750,
 * files 640 on a CI machine), so each Maven run gets a private mount namespace ({@code unshare
 * --mount}) in which the repository is bind-mounted read-only at the links' target, and the
 * user keeps the supplementary group root to read it: the user is still not root (uid, primary
 * gid and capabilities are its own), which is what decides how the plugin runs. Nothing of the
 * mount outlives the run.
 */
final class NonRootMaven implements AutoCloseable {
  final String user;
  final Path home;
  final Path app;
  final Path store;
  private final Path repo;
  private final Path outerRepo;
  private final Path mountPoint;
  private final Path jar;

  private NonRootMaven(String user, Path home, Path repo, Path outerRepo, Path mountPoint,
      Path jar) {
    this.user = user;
    this.home = home;
    this.app = home.resolve("maven-app");
    this.store = home.resolve("store");
    this.repo = repo;
    this.outerRepo = outerRepo;
    this.mountPoint = mountPoint;
    this.jar = jar;
  }

  /**
   * Adds the user and prepares its home under {@code work} (which becomes traversable, not
   * listable, by others): a copy of {@code app}, the jbuild jar, the given files (settings), and
   * a local repository staged from the reactor {@code top}.
   */
  static NonRootMaven create(Path work, Path top, Path app, Path... files) throws Exception {
    exec(List.of("chmod", "711", work.toString())).check("chmod");
    String user = "jbmv" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    Path home = work.resolve("home-" + user);
    TestUsers.add(user, "--home-dir", home.toString());
    try {
      return prepare(work, top, app, user, home, files);
    } catch (Exception | Error e) {
      TestUsers.remove(user);
      throw e;
    }
  }

  private static NonRootMaven prepare(Path work, Path top, Path app, String user, Path home,
      Path... files) throws Exception {
    Path mountPoint = Files.createDirectories(work.resolve("outer-m2-" + user));
    Path repo = MavenPluginIntegrationTest.stageLocalRepository(top, work.resolve("repo-" + user),
        mountPoint);
    Path outer = MavenPluginIntegrationTest.outerRepository();
    Files.createDirectories(home);
    Path jar = Files.copy(top.resolve("builder/target/jbuild.jar"), home.resolve("jbuild.jar"));
    MavenPluginIntegrationTest.copyTree(app, home.resolve("maven-app"));
    for (Path file : files) {
      Files.copy(file, home.resolve(file.getFileName()));
    }
    NonRootMaven made = new NonRootMaven(user, home, repo, outer, mountPoint, jar);
    String owner = user + ":" + user;
    exec(List.of("chown", "-R", owner, home.toString())).check("chown home");
    // -h: the staged repository's symlinks, never what they point to (the shared repository).
    exec(List.of("chown", "-h", owner, repo.toString(), repo.resolve("dev").toString()))
        .check("chown repo");
    exec(List.of("chown", "-R", "-h", owner, repo.resolve("dev/jbuild").toString()))
        .check("chown repo/dev/jbuild");
    return made;
  }

  /** Runs {@code mvn -B -o ARGS} as the user in its copy of the project. */
  Result mvn(String... args) throws Exception {
    List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "-o",
        "-Dmaven.repo.local=" + repo, "-Djbuild.storeRoot=" + store, "-Dmaven.test.skip=true"));
    mvn.addAll(List.of(args));
    // $0 and $1 of the script: the shared repository and where the links expect it.
    List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private",
        "--", "sh", "-c", "mount --bind \"$0\" \"$1\" && mount -o remount,bind,ro \"$1\" && "
            + "shift && exec \"$@\"", outerRepo.toString(), mountPoint.toString()));
    cmd.addAll(asUser("--groups=0"));
    cmd.addAll(mvn);
    return run(cmd, app);
  }

  /** Runs the jbuild jar as the user on its store. */
  Result jbuild(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(asUser("--clear-groups"));
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "--root", store.toString()));
    cmd.addAll(List.of(args));
    return run(cmd, home);
  }

  private List<String> asUser(String groups) {
    return List.of("setpriv", "--reuid=" + user, "--regid=" + user, groups, "--");
  }

  private Result run(List<String> cmd, Path dir) throws Exception {
    Path out = Files.createTempFile("nonroot-mvn-out", ".txt");
    Path err = Files.createTempFile("nonroot-mvn-err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      Map<String, String> env = pb.environment();
      for (String var : List.of("JBUILD_ISOLATION", "JBUILD_ROOT", "XDG_RUNTIME_DIR",
          "DOCKER_CONFIG", "MAVEN_ARGS")) {
        env.remove(var);
      }
      env.put("HOME", home.toString());
      env.put("USER", user);
      env.put("MAVEN_OPTS", "-Djansi.passthrough=false -Dstyle.color=never");
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " timed out");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Removes the user (userdel also drops its subordinate id ranges). */
  @Override
  public void close() throws Exception {
    TestUsers.remove(user);
  }

  record Result(int exitCode, String stdout, String stderr) {
    Result assertSuccess() {
      if (exitCode != 0) {
        throw new AssertionError("exited " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n"
            + stderr);
      }
      return this;
    }
  }


  private record Exec(int code, String output) {
    void check(String what) {
      if (code != 0) {
        throw new AssertionError(what + " failed (" + code + "): " + output);
      }
    }
  }

  private static Exec exec(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Exec(p.waitFor(), output);
  }
}
