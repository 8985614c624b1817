package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.registry.testing.LocalRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 end to end with real Maven: {@code mvn -o} on {@code samples/maven-app} with the
 * jbuild plugin from this reactor builds the image (multi-stage, offline JDK and JRE bases),
 * {@code deploy} pushes it to an htpasswd docker-registry on loopback with the password from
 * {@code settings.xml} (encrypted, decrypted by Maven's SettingsDecrypter), skopeo reads the
 * pushed tag and {@code jbuild run} prints the app's output; a failing RUN fails the Maven build
 * with one {@code [ERROR]} line and no stack trace; {@code -Djbuild.skip} skips; wrong
 * credentials fail the push in one line; {@code mvn jbuild:help} lists the goals. The same
 * project built and pushed by Maven as a non-root user goes through the jbuild command in a
 * child JVM in rootless mode ({@link NonRootMaven}).
 *
 * <p>The inner Maven gets the plugin without {@code mvn install} into the shared {@code ~/.m2}:
 * its local repository is a staging directory whose {@code dev/jbuild} holds this reactor's
 * poms and jars, and whose every other top-level entry is a symlink into the outer build's local
 * repository (so the third-party plugins and libraries resolve offline).
 */
@Tag("root")
class MavenPluginIntegrationTest {
  static final String VERSION = "0.1.0-SNAPSHOT";
  static final String USER = "pusher";
  static final String PASSWORD = "pushpass-8765";
  /** {@code mvn --encrypt-master-password jbuild-it-master}. */
  static final String MASTER = "{o3ScKTe/KRYHc7qHjMVDCGyVUJ6gBxkinIAHhyNFhn5kPr2ldNN0iC5lrrZoaWqa}";
  /** {@code mvn --encrypt-password pushpass-8765} under that master password. */
  static final String ENCRYPTED = "{mXxTzxvy5ycHbTBrX3+ARShEmgu6FIlNKebw3yJdUFs=}";

  @TempDir static Path work;
  static Path repo;
  static Path app;
  static Path store;
  static LocalRegistry registry;
  /** Staged local repositories, whose links {@link #stopRegistryAndUnlink} removes. */
  static final List<Path> STAGED = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void stageReactorBasesAndRegistry() throws Exception {
    Path top = Jbuild.samplesDir().getParent();
    repo = stageLocalRepository(top, work.resolve("repo"));
    app = work.resolve("maven-app");
    copyTree(top.resolve("samples/maven-app"), app);
    store = work.resolve("store");
    Path bases = work.resolve("bases");
    run(List.of(top.resolve("samples/maven-app/base-images.sh").toString(), bases.toString()),
        app).assertSuccess();
    Jbuild jbuild = new Jbuild(store);
    jbuild.run("import", bases.resolve("jdk-rootfs.tar").toString(), "localbase/jdk:17")
        .assertSuccess();
    jbuild.run("import", bases.resolve("jre-rootfs.tar").toString(), "localbase/jre:17")
        .assertSuccess();
    registry = LocalRegistry.startWithBasicAuth(work.resolve("registry"), USER, PASSWORD);
    Files.writeString(work.resolve("settings-security.xml"),
        "<settingsSecurity><master>" + MASTER + "</master></settingsSecurity>\n");
    writeSettings(work.resolve("settings.xml"), ENCRYPTED);
    writeSettings(work.resolve("settings-wrong.xml"), "not-the-password");
  }

  @AfterAll
  static void stopRegistryAndUnlink() throws Exception {
    if (registry != null) {
      registry.close();
    }
    // The links lead into the shared local repository: remove them before @TempDir's cleanup
    // walks the staging directory (it does not follow links; this makes sure of it).
    for (Path staged : STAGED) {
      for (Path dir : List.of(staged, staged.resolve("dev"))) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
          for (Path entry : entries) {
            if (Files.isSymbolicLink(entry)) {
              Files.delete(entry);
            }
          }
        }
      }
    }
  }

  @Test
  void deployBuildsPushesWithSettingsCredentialsAndTheImageRuns() throws Exception {
    String tag = registry.address() + "/samples/maven-app:1.0";
    Jbuild.Result mvn = mvn("settings.xml", "deploy");
    mvn.assertSuccess();
    String log = mvn.stdout();
    assertTrue(log.contains("[INFO] #") && log.contains("RUN javac"), log);
    assertTrue(log.contains("naming to " + tag + " done"), log);
    Matcher pushed = Pattern.compile("pushed " + Pattern.quote(tag)
        + ": digest: (sha256:[0-9a-f]{64})").matcher(log);
    assertTrue(pushed.find(), log);

    Jbuild.Result inspect = run(List.of("skopeo", "inspect", "--tls-verify=false", "--creds",
        USER + ":" + PASSWORD, "docker://" + tag), work).assertSuccess();
    assertTrue(inspect.stdout().contains("\"Digest\": \"" + pushed.group(1) + "\""),
        inspect.stdout());

    Jbuild.Result hello = new Jbuild(store).run("run", "--rm", tag).assertSuccess();
    assertEquals("hello from maven-app 1.0 on Java 17\n", hello.stdout(), hello.stderr());
  }

  /**
   * Maven as a non-root user (issue 15's last gap): the goals run the jbuild command in a child
   * JVM, which enters rootless mode with the user's {@code /etc/subuid} range. {@code deploy}
   * builds the image into the user's store and pushes it with the settings.xml password (piped to
   * the child's stdin); skopeo reads the tag and {@code jbuild run} as the user runs it; a failing
   * RUN is still one {@code [ERROR]} line with the Dockerfile's location; the password is in no
   * file of the user's home and store.
   */
  @Test
  void nonRootUserBuildsRootlessInAChildJvmAndPushesWithPipedCredentials() throws Exception {
    Path top = Jbuild.samplesDir().getParent();
    String tag = registry.address() + "/samples/maven-app:1.0";
    run(List.of("chmod", "-R", "a+rX", work.resolve("bases").toString()), work).assertSuccess();
    try (NonRootMaven user = NonRootMaven.create(work, top, app, work.resolve("settings.xml"),
        work.resolve("settings-security.xml"))) {
      for (String base : List.of("jdk", "jre")) {
        user.jbuild("import", work.resolve("bases/" + base + "-rootfs.tar").toString(),
            "localbase/" + base + ":17").assertSuccess();
      }
      List<String> settings = List.of("-s", user.home.resolve("settings.xml").toString(),
          "-Dsettings.security=" + user.home.resolve("settings-security.xml"),
          "-Djbuild.registry=" + registry.address());
      List<String> deploy = new ArrayList<>(settings);
      deploy.add("deploy");
      String log = user.mvn(deploy.toArray(new String[0])).assertSuccess().stdout();
      assertTrue(log.contains("[INFO] jbuild: Maven runs as user " + user.user + ", not root: "
          + "running the jbuild command in a child JVM"), log);
      assertTrue(log.contains("[INFO] jbuild: rootless mode"), log);
      assertTrue(log.contains("[INFO] #") && log.contains("RUN javac"), log);
      assertTrue(log.contains("naming to " + tag + " done"), log);
      assertFalse(log.contains(PASSWORD), "the password in Maven's log");
      // The child JVM has the command's slf4j binding (ChildLogging): no "no binding" lines.
      assertFalse(log.contains("SLF4J"), log);
      Matcher pushed = Pattern.compile("pushed " + Pattern.quote(tag)
          + ": digest: (sha256:[0-9a-f]{64})").matcher(log);
      assertTrue(pushed.find(), log);
      Jbuild.Result inspect = run(List.of("skopeo", "inspect", "--tls-verify=false", "--creds",
          USER + ":" + PASSWORD, "docker://" + tag), work).assertSuccess();
      assertTrue(inspect.stdout().contains("\"Digest\": \"" + pushed.group(1) + "\""),
          inspect.stdout());
      NonRootMaven.Result hello = user.jbuild("run", "--rm", tag).assertSuccess();
      assertEquals("hello from maven-app 1.0 on Java 17\n", hello.stdout(), hello.stderr());

      List<String> failing = new ArrayList<>(settings);
      failing.addAll(List.of("jbuild:build", "-Djbuild.dockerfile=Dockerfile.failing"));
      NonRootMaven.Result failed = user.mvn(failing.toArray(new String[0]));
      assertNotEquals(0, failed.exitCode(), failed.stdout());
      List<String> errors = failed.stdout().lines()
          .filter(l -> l.startsWith("[ERROR]") && l.contains("Dockerfile.failing")).toList();
      assertEquals(1, errors.size(), failed.stdout());
      assertTrue(errors.get(0).contains("Dockerfile.failing:3: ")
          && errors.get(0).contains("exit code: 3"), errors.get(0));
      assertTrue(failed.stdout().contains("about to fail"), "the step's output in the log");
      assertFalse(failed.stdout().lines().anyMatch(l -> l.startsWith("\tat ")
          || l.startsWith("Caused by")), failed.stdout());
      assertFalse(failed.stdout().contains("SLF4J"), failed.stdout());

      List<Path> holding = filesContaining(user.home, PASSWORD);
      assertEquals(List.of(), holding, "the settings.xml password written to disk");
    }
  }

  /** Regular files under {@code dir} that contain {@code text} (UTF-8). */
  private static List<Path> filesContaining(Path dir, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    List<Path> found = new ArrayList<>();
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
            && indexOf(Files.readAllBytes(p), needle) >= 0) {
          found.add(p);
        }
      }
    }
    return found;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void failingRunFailsTheBuildWithOneErrorLineAndNoStackTrace() throws Exception {
    // The goal alone (the deploy test runs the lifecycle): no javac and jar of the app first.
    Jbuild.Result mvn = mvn("settings.xml", "jbuild:build",
        "-Djbuild.dockerfile=Dockerfile.failing");
    assertNotEquals(0, mvn.exitCode(), mvn.stdout());
    List<String> errors = mvn.stdout().lines()
        .filter(l -> l.startsWith("[ERROR]") && l.contains("Dockerfile.failing")).toList();
    assertEquals(1, errors.size(), mvn.stdout());
    assertTrue(errors.get(0).contains("Dockerfile.failing:3: ")
        && errors.get(0).contains("exit code: 3"), errors.get(0));
    assertTrue(mvn.stdout().contains("about to fail"), "the step's output in the log");
    assertFalse(mvn.stdout().lines().anyMatch(l -> l.startsWith("\tat ")
        || l.startsWith("Caused by")), "no stack trace without -e:\n" + mvn.stdout());
    assertTrue(mvn.stdout().contains("BUILD FAILURE"), mvn.stdout());
  }

  @Test
  void skipSkipsTheBuild() throws Exception {
    // The failing Dockerfile proves nothing ran.
    Jbuild.Result mvn = mvn("settings.xml", "jbuild:build", "jbuild:push", "-Djbuild.skip",
        "-Djbuild.dockerfile=Dockerfile.failing").assertSuccess();
    assertEquals(2, mvn.stdout().lines().filter(l -> l.contains("jbuild: skipped")).count(),
        mvn.stdout());
  }

  @Test
  void wrongSettingsPasswordFailsThePushInOneLine() throws Exception {
    // Only the push goal, of a small stored image: the registry refuses the login first.
    new Jbuild(store).run("tag", "localbase/jre:17", registry.address() + "/samples/denied:1")
        .assertSuccess();
    Jbuild.Result mvn = mvn("settings-wrong.xml", "jbuild:push",
        "-Djbuild.tags=" + registry.address() + "/samples/denied:1");
    assertNotEquals(0, mvn.exitCode(), mvn.stdout());
    List<String> errors = mvn.stdout().lines()
        .filter(l -> l.startsWith("[ERROR]") && l.contains("Tried to push")).toList();
    assertEquals(1, errors.size(), mvn.stdout());
    assertFalse(errors.get(0).contains("not-the-password"), errors.get(0));
    assertFalse(mvn.stdout().lines().anyMatch(l -> l.startsWith("\tat ")), mvn.stdout());
  }

  @Test
  void helpListsTheGoals() throws Exception {
    Jbuild.Result mvn = mvn("settings.xml", "jbuild:help").assertSuccess();
    for (String goal : List.of("jbuild:build", "jbuild:push", "jbuild:tag", "jbuild:help")) {
      assertTrue(mvn.stdout().contains(goal), goal + " in:\n" + mvn.stdout());
    }
  }

  /**
   * Runs the inner Maven on the copy of maven-app with the staged repository; offline when the
   * outer build is (a fresh machine's online build may still need to fetch the install and deploy
   * plugins, which the outer verify never uses).
   */
  private static Jbuild.Result mvn(String settings, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("mvn", "-B"));
    if (!System.getProperty("jbuild.it.offline", "offline=true").equals("offline=false")) {
      cmd.add("-o");
    }
    cmd.addAll(List.of("-s",
        work.resolve(settings).toString(), "-Dsettings.security="
            + work.resolve("settings-security.xml"), "-Dmaven.repo.local=" + repo,
        "-Djbuild.storeRoot=" + store, "-Djbuild.registry=" + registry.address(),
        "-Dmaven.test.skip=true"));
    cmd.addAll(List.of(args));
    return run(cmd, app);
  }

  private static void writeSettings(Path file, String password) throws IOException {
    Files.writeString(file, "<settings><servers><server>"
        + "<id>" + registry.address() + "</id><username>" + USER + "</username>"
        + "<password>" + password + "</password></server></servers></settings>\n");
  }

  /**
   * A local repository for the inner Maven: this reactor's artifacts under {@code dev/jbuild}
   * (poms and jars as the outer build packaged them), every other entry a symlink into the outer
   * local repository.
   */
  static Path stageLocalRepository(Path top, Path staged) throws IOException {
    return stageLocalRepository(top, staged, outerRepository());
  }

  /** The outer build's local repository. */
  static Path outerRepository() {
    return Path.of(System.getProperty("jbuild.it.localRepository",
        System.getProperty("user.home") + "/.m2/repository"));
  }

  /**
   * Like {@link #stageLocalRepository(Path, Path)}, with the links pointing into {@code
   * linkBase} instead (where a non-root user's Maven sees the outer repository: {@link
   * NonRootMaven}).
   */
  static Path stageLocalRepository(Path top, Path staged, Path linkBase) throws IOException {
    Path outer = outerRepository();
    STAGED.add(staged);
    Files.createDirectories(staged.resolve("dev"));
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(outer)) {
      for (Path entry : entries) {
        if (!entry.getFileName().toString().equals("dev")) {
          Files.createSymbolicLink(staged.resolve(entry.getFileName().toString()),
              linkBase.resolve(outer.relativize(entry).toString()));
        }
      }
    }
    if (Files.isDirectory(outer.resolve("dev"))) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(outer.resolve("dev"))) {
        for (Path entry : entries) {
          if (!entry.getFileName().toString().equals("jbuild")) {
            Files.createSymbolicLink(staged.resolve("dev").resolve(entry.getFileName().toString()),
                linkBase.resolve(outer.relativize(entry).toString()));
          }
        }
      }
    }
    stage(staged, "jbuild-parent", top.resolve("pom.xml"), null);
    for (String[] module : new String[][] {{"layerstore", "jbuild-layerstore"},
        {"parser", "jbuild-parser"}, {"runner", "jbuild-runner"},
        {"registry-client", "jbuild-registry-client"}, {"builder", "jbuild-builder"},
        {"maven-plugin", "jbuild-maven-plugin"}}) {
      Path jar = top.resolve(module[0]).resolve("target")
          .resolve(module[1] + "-" + VERSION + ".jar");
      if (!Files.isRegularFile(jar)) {
        throw new AssertionError("the reactor must have packaged " + jar
            + " (run the samples tests with -am, as mvn verify does)");
      }
      stage(staged, module[1], top.resolve(module[0]).resolve("pom.xml"), jar);
    }
    return staged;
  }

  private static void stage(Path staged, String artifactId, Path pom, Path jar)
      throws IOException {
    Path dir = Files.createDirectories(staged.resolve("dev/jbuild").resolve(artifactId)
        .resolve(VERSION));
    Files.copy(pom, dir.resolve(artifactId + "-" + VERSION + ".pom"));
    if (jar != null) {
      Files.copy(jar, dir.resolve(artifactId + "-" + VERSION + ".jar"));
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path rel = from.relativize(p);
        if (rel.startsWith("target")) {
          continue;
        }
        Path dest = to.resolve(rel.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static Jbuild.Result run(List<String> cmd, Path dir) throws Exception {
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    // Plain log lines (no ANSI colours) whatever the outer build's terminal.
    pb.environment().put("MAVEN_OPTS", "-Djansi.passthrough=false -Dstyle.color=never");
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " timed out");
    }
    return new Jbuild.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
