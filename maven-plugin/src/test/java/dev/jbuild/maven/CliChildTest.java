package dev.jbuild.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.registry.auth.Credential;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.maven.model.Model;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link CliChild}, {@link ChildProgress} and the goals' command lines: when the goals
 * leave Maven's JVM, which {@code jbuild} arguments carry the configuration, that the
 * settings.xml password goes only to the child's stdin (never its argv or environment, checked
 * on a live child's {@code /proc/PID}), and how the child's rawjson progress becomes log lines.
 */
class CliChildTest {
  private static final String PASSWORD = "pw-0f9e8d7c-in-settings";

  @TempDir Path tmp;

  @Test
  void reason_inProcessOnlyForRootThatCanMountOrRootOfAUserNamespace() {
    assertNull(CliChild.reason(true, false, true, null, "root"));
    assertNull(CliChild.reason(true, false, true, "auto", "root"));
    assertNull(CliChild.reason(true, false, true, "namespaces", "root"));
    assertNull(CliChild.reason(true, true, false, " ", "root"), "root of a user namespace");
    assertEquals("Maven runs as user alice, not root",
        CliChild.reason(false, false, false, null, "alice"));
    assertEquals("Maven runs as root without CAP_SYS_ADMIN (no mounts or namespaces allowed "
        + "here)", CliChild.reason(true, false, false, "auto", "root"));
    assertEquals("JBUILD_ISOLATION=inplace asks for a mode only the jbuild command can enter",
        CliChild.reason(true, false, true, "inplace", "root"));
    assertEquals("JBUILD_ISOLATION=rootless asks for a mode only the jbuild command can enter",
        CliChild.reason(false, false, false, "rootless", "bob"));
  }

  private BuildMojo mojo() throws Exception {
    BuildMojo mojo = new BuildMojo();
    Model model = new Model();
    model.setArtifactId("app");
    model.setVersion("1.0");
    mojo.project = new MavenProject(model);
    mojo.project.setFile(tmp.resolve("pom.xml").toFile());
    Files.writeString(tmp.resolve("Dockerfile"), "FROM scratch\n");
    mojo.contextDirectory = tmp.toFile();
    mojo.storeRoot = tmp.resolve("store").toFile();
    mojo.network = "default";
    mojo.setLog(new SystemStreamLog());
    Settings settings = new Settings();
    Server server = new Server();
    server.setId("127.0.0.1:5000");
    server.setUsername("pusher");
    server.setPassword(PASSWORD);
    settings.addServer(server);
    mojo.settings = settings;
    return mojo;
  }

  @Test
  void buildArguments_carryTheConfiguration_butNoCredentialOrSecretValue() throws Exception {
    BuildMojo mojo = mojo();
    Files.writeString(tmp.resolve("token"), "the-secret-value");
    Files.writeString(tmp.resolve("Other.dockerfile"), "FROM scratch\n");
    mojo.dockerfile = tmp.resolve("Other.dockerfile").toFile();
    mojo.tags = List.of("127.0.0.1:5000/a/app:1.0", " b:2 ");
    Map<String, String> buildArgs = new LinkedHashMap<>();
    buildArgs.put("VERSION", "1.0");
    buildArgs.put("EMPTY", null);
    mojo.buildArgs = buildArgs;
    mojo.target = "runtime";
    mojo.network = " None ";
    mojo.noCache = true;
    mojo.pull = true;
    mojo.push = true;
    mojo.cacheFrom = List.of("type=registry,ref=127.0.0.1:5000/a/cache");
    mojo.cacheTo = List.of("type=registry,ref=127.0.0.1:5000/a/cache,mode=max");
    mojo.secrets = List.of("id=npm, src=" + tmp.resolve("token"), "id=GH_TOKEN");
    mojo.insecureRegistries = List.of("registry.lan:5000");
    mojo.request(); // the checks the in-process build makes come first

    List<String> args = mojo.cliArguments(true);
    assertEquals(List.of("--root", tmp.resolve("store").toString(),
        "--insecure-registry", "registry.lan:5000", "--registry-auth-stdin",
        "build", "--progress", "rawjson", "-f", tmp.resolve("Other.dockerfile").toString(),
        "-t", "127.0.0.1:5000/a/app:1.0", "-t", "docker.io/library/b:2",
        "--build-arg", "VERSION=1.0", "--build-arg", "EMPTY=", "--target", "runtime",
        "--network", "none", "--no-cache", "--pull", "--push",
        "--cache-from", "type=registry,ref=127.0.0.1:5000/a/cache",
        "--cache-to", "type=registry,ref=127.0.0.1:5000/a/cache,mode=max",
        "--secret", "id=npm,src=" + tmp.resolve("token"), "--secret", "id=GH_TOKEN,env=GH_TOKEN",
        tmp.toString()), args);

    ProcessBuilder child = CliChild.processBuilder(args);
    String commandLine = String.join(" ", child.command());
    assertFalse(commandLine.contains(PASSWORD) || commandLine.contains("the-secret-value"),
        commandLine);
    assertFalse(child.environment().values().stream().anyMatch(v -> v.contains(PASSWORD)));
    assertEquals(CliChild.MAIN, child.command().get(child.command().indexOf(CliChild.MAIN)));

    JsonNode piped = new ObjectMapper().readTree(
        CliChild.authJson(mojo.serverCredentials()));
    assertEquals("pusher", piped.at("/auths/127.0.0.1:5000/username").asText());
    assertEquals(PASSWORD, piped.at("/auths/127.0.0.1:5000/password").asText());
  }

  @Test
  void defaults_giveTheShortestCommandLine() throws Exception {
    BuildMojo mojo = mojo();
    assertEquals(List.of("--root", tmp.resolve("store").toString(), "build", "--progress",
        "rawjson", "-t", "docker.io/library/app:1.0", "--network", "default", tmp.toString()),
        mojo.cliArguments(false));
  }

  /**
   * A real child JVM: while it waits for its stdin, its {@code /proc/PID/cmdline} and {@code
   * environ} hold no password; then it reads the piped credentials (exit 0), or says in one
   * line that what it read was not credentials, without quoting it.
   */
  @Test
  void liveChild_readsCredentialsFromItsStdinOnly() throws Exception {
    List<String> args = List.of("--root", tmp.resolve("store").toString(),
        "--registry-auth-stdin", "images");
    Process child = CliChild.processBuilder(args).redirectErrorStream(true).start();
    try {
      Path proc = Path.of("/proc", String.valueOf(child.pid()));
      // The child may still be the JDK's spawn helper; wait until it is the jbuild JVM.
      String cmdline = "";
      for (int i = 0; i < 600 && !cmdline.contains(CliChild.MAIN); i++) {
        cmdline = Files.readString(proc.resolve("cmdline"), StandardCharsets.ISO_8859_1);
        Thread.sleep(50);
      }
      assertTrue(cmdline.contains(CliChild.MAIN), cmdline);
      assertFalse(cmdline.contains(PASSWORD), cmdline);
      assertFalse(Files.readString(proc.resolve("environ"), StandardCharsets.ISO_8859_1)
          .contains(PASSWORD));
      try (OutputStream in = child.getOutputStream()) {
        in.write(CliChild.authJson(Map.of("127.0.0.1:5000", new Credential("u", PASSWORD))));
      }
      String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(child.waitFor(2, TimeUnit.MINUTES));
      assertEquals(0, child.exitValue(), output);
      assertFalse(output.contains(PASSWORD), output);
    } finally {
      child.destroyForcibly();
    }

    List<String> out = new ArrayList<>();
    List<String> err = new ArrayList<>();
    int code = CliChild.run(args, ("{\"auths\":{\"h\":{\"username\":\"u\",\"password\":"
        + PASSWORD + "}}}").getBytes(StandardCharsets.UTF_8), out::add, err::add);
    assertEquals(1, code, String.join("\n", err));
    assertEquals(1, err.size(), String.join("\n", err));
    assertTrue(err.get(0).startsWith("error: Tried to read registry credentials from stdin "
        + "(--registry-auth-stdin) but failed because: it is not valid JSON (line 1, column "),
        err.get(0));
    assertFalse(err.get(0).contains(PASSWORD) || err.get(0).contains("0f9e8d7c"), err.get(0));
  }

  /**
   * With {@link ChildLogging}'s jars (here found beside this JVM's slf4j-api in the local
   * repository, where the resolver finds them in Maven) the child has the command's slf4j
   * binding: opening a store, which makes a logger, prints no SLF4J line. Without them it
   * prints SLF4J's "no providers" warning, as the plugin's child did before.
   */
  @Test
  void liveChild_withTheLoggingJars_printsNoSlf4jLines() throws Exception {
    String version = ChildLogging.version();
    Path api = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(Path::of).filter(p -> p.getFileName().toString()
            .equals("slf4j-api-" + version + ".jar")).findFirst().orElseThrow();
    Path simple = api.getParent().getParent().getParent()
        .resolve("slf4j-simple/" + version + "/slf4j-simple-" + version + ".jar");
    assertTrue(Files.isRegularFile(simple), simple + " (the builder's runtime dependency)");
    List<String> args = List.of("--root", tmp.resolve("store").toString(), "images");
    List<String> err = new ArrayList<>();
    assertEquals(0, CliChild.run(args, List.of(api, simple), new byte[0], l -> { }, err::add),
        String.join("\n", err));
    assertEquals(List.of(), err.stream().filter(l -> l.contains("SLF4J")).toList());
    assertTrue(CliChild.classpath(List.of(api, simple)).startsWith(api + File.pathSeparator
        + simple + File.pathSeparator));

    List<String> without = new ArrayList<>();
    assertEquals(0, CliChild.run(args, new byte[0], l -> { }, without::add));
    assertTrue(without.stream().anyMatch(l -> l.startsWith("SLF4J")), without.toString());
  }

  @Test
  void classpath_outsideMaven_isThisJvmsClassPathWithSlf4j() {
    List<String> entries = List.of(CliChild.classpath().split(File.pathSeparator));
    assertTrue(entries.containsAll(List.of(System.getProperty("java.class.path")
        .split(File.pathSeparator))), entries.toString());
  }

  /** Log lines as {@code LEVEL text}. */
  private static final class RecordingLog extends SystemStreamLog {
    final List<String> lines = new ArrayList<>();

    @Override
    public void info(CharSequence content) {
      lines.add("INFO " + content);
    }

    @Override
    public void warn(CharSequence content) {
      lines.add("WARN " + content);
    }

    @Override
    public void debug(CharSequence content) {
      lines.add("DEBUG " + content);
    }
  }

  @Test
  void childProgress_rawjsonBecomesTheInProcessLogLines() {
    RecordingLog log = new RecordingLog();
    ChildProgress progress = new ChildProgress(log);
    for (String line : List.of(
        "jbuild: rootless mode (user namespace with your /etc/subuid range): no cgroup limits",
        "SLF4J(W): No SLF4J providers were found.",
        "{\"type\":\"step\",\"time\":\"t\",\"id\":1,\"name\":\"[1/2] FROM localbase/jre:17\"}",
        "{\"type\":\"done\",\"time\":\"t\",\"id\":1,\"name\":\"[1/2] FROM localbase/jre:17\","
            + "\"cached\":true,\"millis\":0}",
        "{\"type\":\"step\",\"time\":\"t\",\"id\":2,\"name\":\"[2/2] RUN exit 3\"}",
        "{\"type\":\"log\",\"time\":\"t\",\"id\":2,\"name\":\"[2/2] RUN exit 3\","
            + "\"line\":\"about to fail\"}",
        "{\"type\":\"info\",\"time\":\"t\",\"message\":\"WARN: a warning\"}",
        "{\"type\":\"error\",\"time\":\"t\",\"message\":\"Dockerfile.failing:3: RUN failed: "
            + "exit code: 3\",\"exitCode\":3}",
        "------", " > about to fail", "------",
        "error: Dockerfile.failing:3: RUN failed: exit code: 3", "{not json")) {
      progress.line(line);
    }
    assertEquals(List.of(
        "INFO jbuild: rootless mode (user namespace with your /etc/subuid range): no cgroup "
            + "limits",
        "WARN SLF4J(W): No SLF4J providers were found.",
        "INFO #1 [1/2] FROM localbase/jre:17", "INFO #1 CACHED",
        "INFO #2 [2/2] RUN exit 3", "INFO #2 about to fail", "WARN a warning",
        "INFO {not json"), log.lines);
    assertTrue(progress.buildFailed());
    assertEquals("Dockerfile.failing:3: RUN failed: exit code: 3", progress.error());
    assertEquals(3, progress.exitCode());

    ChildProgress setup = new ChildProgress(new RecordingLog());
    setup.line("error: Tried to start rootless mode for user bob but failed because: x");
    assertFalse(setup.buildFailed());
    assertEquals("Tried to start rootless mode for user bob but failed because: x",
        setup.error());
    ChildProgress built = new ChildProgress(new RecordingLog());
    built.line("{\"type\":\"result\",\"time\":\"t\",\"imageId\":\"sha256:ab\","
        + "\"manifestDigest\":\"sha256:cd\",\"pushed\":[]}");
    assertEquals("sha256:ab", built.imageId());
    assertNull(built.error());
  }
}
