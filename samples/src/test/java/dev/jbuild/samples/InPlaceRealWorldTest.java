package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's real-world check in mode C: in a default {@code docker run} of the executor image
 * (no --privileged, so RUN steps run in place), a Dockerfile whose RUN steps start a JVM ({@code
 * java -version} of the jlink'ed runtime COPY'd into the image), run a shell script that reads
 * {@code /proc/self/status} and {@code /proc/self/exe}, and {@code dpkg -i} a local .deb (with a
 * postinst) builds; Docker then runs the result (its CMD is {@code java -version}, the package's
 * command works). Everything is offline: the base is {@code samples/base/debian-rootfs.sh} with
 * dpkg, tar and libc-bin from this machine's apt, the .deb is made here with dpkg-deb.
 */
@Tag("root")
class InPlaceRealWorldTest {
  static final String PACKAGES = "dpkg tar libc-bin libbz2-1.0 liblzma5 libmd0 libselinux1"
      + " libpcre2-8-0 libzstd1 libacl1";
  static final String BASE = "localbase/debian-dpkg:bookworm";
  @TempDir static Path work;
  static final String ID = UUID.randomUUID().toString().substring(0, 8);
  static final String IMAGE = "jbuild-realworld-executor-" + ID + ":dev";
  static final String BUILT = "jbuild-realworld-" + ID + ":1";
  static Path jar;
  static boolean loaded;

  @BeforeAll
  static void executorImageBaseAndContext() throws Exception {
    assumeTrue(Docker.available(), "InPlaceRealWorldTest needs a Docker engine");
    Path top = Jbuild.samplesDir().getParent();
    jar = top.resolve("builder/target/jbuild.jar");
    assertTrue(Files.isRegularFile(jar), "the build must have packaged " + jar);
    ExecutorImage.buildAndLoad(work, IMAGE);
    loaded = true;

    // The host store build-executor.sh used: this base goes next to the executor's.
    Map<String, String> env = Map.of("JBUILD_ROOT", work.resolve("host-store").toString());
    Path in = Files.createDirectories(work.resolve("in"));
    run(List.of(top.resolve("samples/base/debian-rootfs.sh").toString(),
        in.resolve("rootfs.tar").toString()), Map.of(), PACKAGES.split(" "));
    run(List.of("java", "-jar", jar.toString(), "import", in.resolve("rootfs.tar").toString(),
        BASE), env);
    run(List.of("java", "-jar", jar.toString(), "save", "-o", in.resolve("base.tar").toString(),
        BASE), env);

    Path ctx = Files.createDirectories(work.resolve("ctx"));
    Path resources = top.resolve("samples/src/test/resources/inplace-realworld");
    Files.copy(resources.resolve("Dockerfile"), ctx.resolve("Dockerfile"));
    Files.copy(resources.resolve("proc-check.sh"), ctx.resolve("proc-check.sh"));
    // The runtime build-executor.sh just made (prepare-context.sh) for the executor itself.
    run(List.of("cp", "-a", top.resolve("samples/ci/executor/jre").toString(),
        ctx.resolve("jre").toString()), Map.of());
    makeDeb(ctx.resolve("hello.deb"));
  }

  @AfterAll
  static void removeImages() throws Exception {
    if (loaded) {
      Docker.exec(List.of("docker", "rmi", "-f", IMAGE, BUILT));
    }
  }

  @Test
  void javaProcAndDpkgBuildInPlaceAndTheImageRuns() throws Exception {
    Path store = Files.createDirectories(work.resolve("store"));
    Path out = Files.createDirectories(work.resolve("out"));
    List<String> volumes = List.of("-v", work.resolve("in") + ":/jbuild/in:ro",
        "-v", store + ":/jbuild/store", "-v", out + ":/jbuild/out",
        "-v", work.resolve("ctx") + ":/workspace:ro");
    docker(volumes, "load", "-i", "/jbuild/in/base.tar").assertSuccess();
    Jbuild.Result build = docker(volumes, "build", "--progress=plain", "-t", BUILT, ".");
    assertEquals(0, build.exitCode(), "the build failed in mode C:\n" + build.stderr());
    String log = build.stderr();
    assertEquals(1, log.lines().filter(l -> l.startsWith("jbuild: in-place mode")).count(), log);
    assertTrue(log.contains("openjdk version \"17"), "java -version in a RUN step:\n" + log);
    assertTrue(log.contains("status Name=sed Uid=0 exe=/usr/bin/busybox")
        && log.contains("proc ok"), "the /proc script:\n" + log);
    // Debian's dpkg, not busybox's applet (which says "Setting up jbuild-hello (1.0)...").
    assertTrue(log.contains("Selecting previously unselected package jbuild-hello")
        && log.contains("Setting up jbuild-hello (1.0) ..."), "dpkg -i:\n" + log);

    docker(volumes, "save", "-o", "/jbuild/out/built.tar", BUILT).assertSuccess();
    Docker.exec(List.of("docker", "load", "-i", out.resolve("built.tar").toString()));
    Jbuild.Result cmd = Docker.exec(List.of("docker", "run", "--rm", BUILT));
    assertEquals(0, cmd.exitCode(), cmd.stderr());
    assertTrue(cmd.stderr().startsWith("openjdk version \"17"), cmd.stderr());
    Jbuild.Result hello = Docker.exec(List.of("docker", "run", "--rm", BUILT, "sh", "-c",
        "jbuild-hello && cat /var/lib/jbuild-hello/postinst /proc-report"
            + " && /usr/bin/dpkg -s jbuild-hello | grep Status"));
    assertEquals("hello from a local deb\nconfigured\nstatus Name=sed Uid=0 exe=/usr/bin/busybox"
        + "\nproc ok\nStatus: install ok installed\n", hello.stdout(), hello.stderr());
  }

  /** A package of one script and a postinst that writes a file, as dpkg-deb builds it. */
  private static void makeDeb(Path deb) throws Exception {
    Path pkg = work.resolve("pkg");
    Files.createDirectories(pkg.resolve("DEBIAN"));
    Files.createDirectories(pkg.resolve("usr/bin"));
    Files.writeString(pkg.resolve("DEBIAN/control"), "Package: jbuild-hello\nVersion: 1.0\n"
        + "Architecture: all\nMaintainer: jbuild tests <tests@jbuild.invalid>\n"
        + "Description: a local package for the in-place check\n");
    Files.writeString(pkg.resolve("DEBIAN/postinst"), "#!/bin/sh\nset -e\n"
        + "mkdir -p /var/lib/jbuild-hello && echo configured > /var/lib/jbuild-hello/postinst\n");
    Files.writeString(pkg.resolve("usr/bin/jbuild-hello"),
        "#!/bin/sh\necho hello from a local deb\n");
    run(List.of("chmod", "0755", pkg.resolve("DEBIAN/postinst").toString(),
        pkg.resolve("usr/bin/jbuild-hello").toString()), Map.of());
    run(List.of("dpkg-deb", "--root-owner-group", "--build", pkg.toString(), deb.toString()),
        Map.of());
  }

  /** {@code docker run --rm VOLUMES IMAGE args} with SOURCE_DATE_EPOCH; jbuild is the entrypoint. */
  private static Jbuild.Result docker(List<String> volumes, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm", "-e",
        "SOURCE_DATE_EPOCH=1700000000"));
    cmd.addAll(volumes);
    cmd.add(IMAGE);
    cmd.addAll(List.of(args));
    return Docker.exec(cmd);
  }

  private static void run(List<String> cmd, Map<String, String> env, String... more)
      throws Exception {
    List<String> all = new ArrayList<>(cmd);
    all.addAll(List.of(more));
    Path log = Files.createTempFile(work, "cmd", ".log");
    ProcessBuilder pb = new ProcessBuilder(all).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(all + " did not finish");
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(all + " exited " + p.exitValue() + ":\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
  }
}
