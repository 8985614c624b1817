package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.registry.testing.LocalRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor image of {@code samples/ci}: {@code build-executor.sh} builds it with jbuild (no
 * Docker, no internet), {@code docker load} takes it, and it runs in a container with Docker's
 * default security, without {@code --privileged}: what a GitLab docker-executor job, a GitHub
 * container job or a default Kubernetes pod gets (issue 12, environment C). There jbuild
 *
 * <ul>
 *   <li>prints its version,
 *   <li>builds a Dockerfile without RUN, with its store on a volume as the CI samples keep it,
 *       into the same image a root host builds, which Docker then runs, and
 *   <li>fails a Dockerfile with RUN in one line that names the step, with no stack trace (the
 *       isolation modes of issue 12 will make it build; the test then changes).
 * </ul>
 *
 * Prints the image size and the times of the build and of {@code docker run ... --version}.
 */
@Tag("root")
class ExecutorImageIntegrationTest {
  @TempDir static Path work;
  static final String ID = UUID.randomUUID().toString().substring(0, 8);
  static final String IMAGE = "jbuild-executor-test-" + ID + ":dev";
  static final String HELLO = "jbuild-executor-hello-" + ID + ":1";
  static final String SOURCE_DATE_EPOCH = "1700000000";
  static boolean loaded;

  @BeforeAll
  static void buildAndLoadTheExecutorImage() throws Exception {
    assumeTrue(Docker.available(),
        "ExecutorImageIntegrationTest needs a Docker engine to run the executor image");
    long buildMs = ExecutorImage.buildAndLoad(work, IMAGE);
    loaded = true;
    String size = docker("image", "inspect", "-f", "{{.Size}}", IMAGE).stdout().strip();
    System.out.printf("executor image %s: %.1f MB, built by build-executor.sh in %.1f s%n",
        IMAGE, Long.parseLong(size) / 1e6, buildMs / 1000.0);
  }

  @AfterAll
  static void removeDockerImages() throws Exception {
    if (loaded) {
      Docker.exec(List.of("docker", "rmi", "-f", IMAGE, HELLO));
    }
  }

  @Test
  void imageIsSmallAndConfiguredForCi() throws Exception {
    String size = docker("image", "inspect", "-f", "{{.Size}}", IMAGE).stdout().strip();
    // A JRE and the jar, not a JDK: a regression to a full JDK or Debian's JRE would double it.
    assertTrue(Long.parseLong(size) < 150_000_000L, "executor image is " + size + " bytes");
    String config = docker("image", "inspect", "-f",
        "{{json .Config.Entrypoint}} {{.Config.WorkingDir}} {{json .Config.Env}}", IMAGE)
        .stdout();
    // The JVM on its own loader and glibc, so in-place builds may replace /lib.
    assertTrue(config.startsWith("[\"/jbuild/lib/ld-linux-x86-64.so.2\",\"--library-path\","
        + "\"/jbuild/lib\",\"/jbuild/jre/bin/java\""), config);
    assertTrue(config.contains("] /workspace "), config);
    assertTrue(config.contains("\"JBUILD_ROOT=/jbuild/store\""), config);
  }

  @Test
  void printsItsVersionInAnUnprivilegedContainer() throws Exception {
    long t0 = System.nanoTime();
    Jbuild.Result r = docker("run", "--rm", IMAGE, "--version");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(r.stdout().startsWith("jbuild "), r.stdout());
    System.out.printf("docker run --rm %s --version: %d ms%n", IMAGE, ms);
  }

  /**
   * A Dockerfile without RUN (FROM, COPY, ENV, CMD) builds in the unprivileged container, with
   * the base image loaded from a mounted archive and the store on a volume, into the very image
   * (same ID) that jbuild builds as root on the host; Docker runs what it saved.
   */
  @Test
  void buildsADockerfileWithoutRunAsOnTheHost() throws Exception {
    Path ctx = helloContext("ctx");
    Path store = storeVolumeWithBusybox("store-volume");
    Path out = Files.createDirectories(work.resolve("out"));

    Jbuild.Result build = inContainer(List.of("-v", ctx + ":/workspace:ro",
        "-v", store + ":/jbuild/store", "-v", out + ":/out", "-e",
        "SOURCE_DATE_EPOCH=" + SOURCE_DATE_EPOCH),
        "build", "--progress=plain", "--iidfile", "/out/iid", "-t", HELLO, ".");
    assertTrue(build.stderr().contains("COPY msg.txt /srv/msg.txt"), build.stderr());
    // Another container on the same store volume, as the next CI job on a cache volume.
    inContainer(List.of("-v", store + ":/jbuild/store", "-v", out + ":/out"),
        "save", "-o", "/out/hello.tar", HELLO);

    hostStore().runWithEnv(Map.of("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH), "build", "--iidfile",
        work.resolve("host-iid").toString(), "-t", "hello-on-host", ctx.toString())
        .assertSuccess();
    assertEquals(Files.readString(work.resolve("host-iid")).strip(),
        Files.readString(out.resolve("iid")).strip(),
        "the unprivileged container built another image than a root host");

    docker("load", "-i", out.resolve("hello.tar").toString());
    assertEquals("hello\nbuilt in a default container\n",
        docker("run", "--rm", HELLO).stdout());
  }

  /**
   * As {@code kubernetes-job.yaml} does: the context, the store and a Docker {@code config.json}
   * on volumes, {@code DOCKER_CONFIG} pointing at it, {@code build --push} to a registry with
   * htpasswd auth. Without the config the push is refused in one line. ({@code --network host}
   * only so that the container reaches the test's registry on 127.0.0.1.)
   */
  @Test
  void pushesWithAMountedDockerConfigAsTheKubernetesJob() throws Exception {
    try (LocalRegistry registry = LocalRegistry.startWithBasicAuth(work.resolve("registry"),
        "ci", "s3cret")) {
      String ref = registry.address() + "/team/app:ci";
      Path ctx = helloContext("push-ctx");
      Path store = storeVolumeWithBusybox("push-store");
      Path config = Files.createDirectories(work.resolve("docker-config"));
      String auth = Base64.getEncoder().encodeToString("ci:s3cret".getBytes(StandardCharsets.UTF_8));
      Files.writeString(config.resolve("config.json"),
          "{\"auths\":{\"" + registry.address() + "\":{\"auth\":\"" + auth + "\"}}}");
      List<String> volumes = List.of("--network", "host", "-v", ctx + ":/workspace:ro",
          "-v", store + ":/jbuild/store", "-e", "SOURCE_DATE_EPOCH=" + SOURCE_DATE_EPOCH);

      Jbuild.Result anonymous = docker(false, concat(List.of("run", "--rm"), volumes,
          List.of(IMAGE, "build", "--progress=plain", "--push", "-t", ref, "/workspace")));
      assertEquals(1, anonymous.exitCode(), anonymous.stderr());
      List<String> errors = errorLines(anonymous.stderr());
      assertEquals(1, errors.size(), anonymous.stderr());
      assertTrue(errors.get(0).contains("denied"), anonymous.stderr());

      List<String> withConfig = concat(volumes, List.of("-v", config + ":/jbuild/docker-config:ro",
          "-e", "DOCKER_CONFIG=/jbuild/docker-config"));
      inContainer(withConfig, "build", "--progress=plain", "--push", "-t", ref, "/workspace");

      // What the registry holds is what a root host builds from the same context.
      Jbuild puller = new Jbuild(work.resolve("puller-store"));
      Map<String, String> env = Map.of("DOCKER_CONFIG", config.toString(),
          "SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH);
      puller.runWithEnv(env, "pull", ref).assertSuccess();
      String pulled = puller.run("inspect", "-f", "{{.Id}}", ref).assertSuccess().stdout().strip();
      hostStore().runWithEnv(env, "build", "--iidfile", work.resolve("push-iid").toString(),
          ctx.toString()).assertSuccess();
      assertEquals(Files.readString(work.resolve("push-iid")).strip(), pulled);
    }
  }

  /**
   * Mode C of issue 12: RUN steps in a container with Docker's default security (no namespaces,
   * no mounts, read-only cgroups) run in place in the executor's own root, announced in one line,
   * and give the very image (same ID, {@code SOURCE_DATE_EPOCH} set) that jbuild builds as root
   * on a host: files, owners, a whiteout, an opaque directory, a hardlink.
   */
  @Test
  void runStepsBuildInPlaceIntoTheImageARootHostBuilds() throws Exception {
    Path ctx = Files.createDirectories(work.resolve("run-ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        + "RUN echo hi > /hi && mkdir -p /srv/data && echo x > /srv/data/f\n"
        + "RUN rm /hi && rm -rf /srv/data && mkdir /srv/data && echo y > /srv/data/g\n"
        + "RUN ln /srv/data/g /srv/link && chown 1000:1000 /srv/data/g && cat /proc/self/stat"
        + " > /dev/null\n"
        + "CMD [\"cat\", \"/srv/data/g\"]\n");
    Path store = storeVolumeWithBusybox("run-store");
    Path out = Files.createDirectories(work.resolve("run-out"));
    Jbuild.Result r = docker(false, "run", "--rm", "-v", ctx + ":/workspace:ro",
        "-v", store + ":/jbuild/store", "-v", out + ":/out",
        "-e", "SOURCE_DATE_EPOCH=" + SOURCE_DATE_EPOCH, IMAGE, "build", "--progress=plain",
        "--iidfile", "/out/iid", "-t", "inplace", ".");
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals(1, r.stderr().lines().filter(l -> l.startsWith("jbuild: in-place mode")).count(),
        r.stderr());

    hostStore().runWithEnv(Map.of("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH), "build", "--iidfile",
        work.resolve("run-host-iid").toString(), "-t", "inplace-on-host", ctx.toString())
        .assertSuccess();
    assertEquals(Files.readString(work.resolve("run-host-iid")).strip(),
        Files.readString(out.resolve("iid")).strip(),
        "in-place mode built another image than a root host");
  }

  /**
   * What in-place mode cannot honour is one clear error line naming the mode, with no stack
   * trace: {@code --network none} (no namespaces) and {@code --memory} (no writable cgroups).
   */
  @Test
  void whatInPlaceModeCannotDoFailsInOneClearLine() throws Exception {
    Path ctx = Files.createDirectories(work.resolve("none-ctx"));
    Files.writeString(ctx.resolve("Dockerfile"),
        "FROM localbase/busybox:1\nRUN echo hi > /hi\n");
    Path store = storeVolumeWithBusybox("none-store");
    for (List<String> flags : List.of(List.of("--network", "none"), List.of("--memory", "64m"))) {
      List<String> cmd = new ArrayList<>(List.of("run", "--rm", "-v", ctx + ":/workspace:ro",
          "-v", store + ":/jbuild/store", IMAGE, "build", "--progress=plain"));
      cmd.addAll(flags);
      cmd.add(".");
      Jbuild.Result r = docker(false, cmd);
      assertNotEquals(0, r.exitCode(), flags + " was accepted:\n" + r.stderr());
      List<String> errors = errorLines(r.stderr());
      assertEquals(1, errors.size(), "expected one error line:\n" + r.stderr());
      assertTrue(errors.get(0).contains("in-place mode cannot"), errors.get(0));
      assertTrue(errors.get(0).contains("Dockerfile:2"), "does not name the line: " + errors);
      Pattern stackFrame = Pattern.compile("^\\s+at [\\w.$]+\\(", Pattern.MULTILINE);
      assertTrue(!stackFrame.matcher(r.stderr()).find()
          && !r.stderr().contains("Exception in thread"), "stack trace:\n" + r.stderr());
    }
  }

  /**
   * Two builds in a row in one container, as a CI script runs them: the first, FROM scratch with
   * a RUN step, leaves the container's root holding only that image (no /bin/sh), and the second
   * {@code jbuild} on the PATH must still start. The launcher used to be a /bin/sh script.
   */
  @Test
  void secondBuildInTheSameContainer_startsAfterAFromScratchBuildRemovedTheShell()
      throws Exception {
    Path first = Files.createDirectories(work.resolve("scratch-ctx"));
    Files.copy(Path.of("/bin/busybox"), first.resolve("busybox"));
    Files.writeString(first.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bb/busybox\n"
        + "RUN [\"/bb/busybox\", \"touch\", \"/made-by-run\"]\n");
    Path second = Files.createDirectories(work.resolve("second-ctx"));
    Files.writeString(second.resolve("msg.txt"), "second\n");
    Files.writeString(second.resolve("Dockerfile"), "FROM scratch\nCOPY msg.txt /msg.txt\n");
    Path store = Files.createDirectories(work.resolve("launcher-store"));
    String name = "jbuild-launcher-" + ID;
    // The container's own process is the host's static busybox from a mount, which the build
    // keeps: it must outlive the root's files. Each exec starts in / (-w): the image's WORKDIR
    // /workspace is not a volume here, so the first build's wipe removes it.
    docker("run", "-d", "--name", name, "-v", first + ":/ctx1:ro", "-v", second + ":/ctx2:ro",
        "-v", store + ":/jbuild/store", "-v", "/bin/busybox:/keep/busybox:ro",
        "--entrypoint", "/keep/busybox", IMAGE, "sleep", "600");
    try {
      Jbuild.Result one = docker(false, "exec", "-w", "/", name, "jbuild", "build",
          "--progress=plain", "-t", "first", "/ctx1");
      assertEquals(0, one.exitCode(), one.stderr());
      assertEquals(1, docker(false, "exec", "-w", "/", name, "/keep/busybox", "test", "-e",
          "/bin/sh").exitCode(), "the first build should have left no /bin/sh in the root");
      assertEquals(0, docker(false, "exec", "-w", "/", name, "/keep/busybox", "test", "-e",
          "/made-by-run").exitCode(), "the root holds the first image");
      Jbuild.Result two = docker(false, "exec", "-w", "/", name, "jbuild", "build",
          "--progress=plain", "-t", "second", "/ctx2");
      assertEquals(0, two.exitCode(), "second jbuild:\n" + two.stdout() + two.stderr());
      Jbuild.Result images = docker(false, "exec", "-w", "/", name, "jbuild", "images");
      assertTrue(images.stdout().contains("second"), images.stdout() + images.stderr());
    } finally {
      Docker.exec(List.of("docker", "rm", "-f", name));
    }
  }

  /** A context without RUN: FROM the busybox base, COPY, ENV, CMD. */
  private static Path helloContext(String name) throws IOException {
    Path ctx = Files.createDirectories(work.resolve(name));
    Files.writeString(ctx.resolve("msg.txt"), "built in a default container\n");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        + "COPY msg.txt /srv/msg.txt\n"
        + "ENV GREETING=hello\n"
        + "CMD [\"sh\", \"-c\", \"echo $GREETING; cat /srv/msg.txt\"]\n");
    return ctx;
  }

  /** jbuild as root on this host, with the busybox base image. */
  private static synchronized Jbuild hostStore() throws Exception {
    Jbuild host = new Jbuild(work.resolve("host-ref-store"));
    if (!Files.exists(work.resolve("in/busybox.tar"))) {
      host.importBusybox(work, "localbase/busybox:1");
      Files.createDirectories(work.resolve("in"));
      host.run("save", "-o", work.resolve("in/busybox.tar").toString(), "localbase/busybox:1")
          .assertSuccess();
    }
    return host;
  }

  /**
   * A new store directory for {@code /jbuild/store}, into which a container has loaded the base
   * image from a mounted archive (as a CI job would, before any registry is involved).
   */
  private static Path storeVolumeWithBusybox(String name) throws Exception {
    hostStore();
    Path store = Files.createDirectories(work.resolve(name));
    inContainer(List.of("-v", work.resolve("in") + ":/in:ro", "-v", store + ":/jbuild/store"),
        "load", "-i", "/in/busybox.tar");
    return store;
  }

  private static List<String> errorLines(String stderr) {
    return stderr.lines().filter(l -> l.startsWith("error:")).toList();
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    List<String> all = new ArrayList<>();
    for (List<String> p : parts) {
      all.addAll(p);
    }
    return all;
  }

  /** {@code docker run --rm [opts] IMAGE args...}: the image's entrypoint is jbuild. */
  private static Jbuild.Result inContainer(List<String> opts, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("run", "--rm"));
    cmd.addAll(opts);
    cmd.add(IMAGE);
    cmd.addAll(List.of(args));
    return docker(cmd.toArray(String[]::new));
  }

  private static Jbuild.Result docker(String... args) throws IOException {
    return docker(true, args);
  }

  private static Jbuild.Result docker(boolean mustSucceed, String... args) throws IOException {
    return ExecutorImage.docker(mustSucceed, List.of(args));
  }

  private static Jbuild.Result docker(boolean mustSucceed, List<String> args) throws IOException {
    return ExecutorImage.docker(mustSucceed, args);
  }

}
