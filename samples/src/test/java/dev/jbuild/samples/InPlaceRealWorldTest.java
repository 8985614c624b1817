package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12's real-world check in modes C and D: in a default {@code docker run} of the executor
 * image (mode C: root, no --privileged, so RUN steps run in place) and in one as its user 1000
 * with {@code --security-opt seccomp=unconfined} (mode D: rootless, a user namespace with the
 * container's /proc bound and no PID namespace), a Dockerfile whose RUN steps start a JVM ({@code
 * java -version} of the jlink'ed runtime COPY'd into the image), run a shell script that reads
 * {@code /proc/self/status} and {@code /proc/self/exe}, and {@code dpkg -i} a local .deb (with a
 * postinst) builds; Docker then runs the result (its CMD is {@code java -version}, the package's
 * command works). Everything is offline: the base is {@code samples/base/debian-rootfs.sh} with
 * dpkg, tar and libc-bin from this machine's apt, the .deb is made here with dpkg-deb. (The
 * class keeps its first name, from when it checked mode C alone.)
 */
@Tag("root")
class InPlaceRealWorldTest {
  static final String PACKAGES = "dpkg tar libc-bin libbz2-1.0 liblzma5 libmd0 libselinux1"
      + " libpcre2-8-0 libzstd1 libacl1";
  static final String BASE = "localbase/debian-dpkg:bookworm";
  @TempDir static Path work;
  static final String ID = UUID.randomUUID().toString().substring(0, 8);
  static final String IMAGE = "jbuild-realworld-executor-" + ID + ":dev";
  /** The built image's tag in Docker, per mode ({@link #built}). */
  static final String BUILT = "jbuild-realworld-" + ID;
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
    // Mode D's user loads it through the mount.
    Files.setPosixFilePermissions(in.resolve("base.tar"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

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
      Docker.exec(List.of("docker", "rmi", "-f", IMAGE, built("C"), built("D")));
    }
  }

  /**
   * Builds the Dockerfile in one mode, each mode in its own store: C (root, Docker's defaults:
   * in-place) or D (user 1000, seccomp unconfined: rootless, {@link ExecutorImage#modeDOptions}).
   */
  @ParameterizedTest(name = "mode {0}")
  @ValueSource(strings = {"C", "D"})
  void javaProcAndDpkgBuildAndTheImageRuns(String mode) throws Exception {
    List<String> options = mode.equals("D") ? ExecutorImage.modeDOptions() : List.of();
    Path store = Files.createDirectories(work.resolve("store-" + mode));
    Path out = Files.createDirectories(work.resolve("out-" + mode));
    if (mode.equals("D")) {
      for (Path dir : List.of(store, out)) {
        Files.setAttribute(dir, "unix:uid", ExecutorImage.USER);
        Files.setAttribute(dir, "unix:gid", ExecutorImage.USER);
      }
    }
    List<String> volumes = new ArrayList<>(options);
    volumes.addAll(List.of("-v", work.resolve("in") + ":/jbuild/in:ro",
        "-v", store + ":/jbuild/store", "-v", out + ":/jbuild/out",
        "-v", work.resolve("ctx") + ":/workspace:ro"));
    String built = built(mode);
    docker(volumes, "load", "-i", "/jbuild/in/base.tar").assertSuccess();
    Jbuild.Result build = docker(volumes, "build", "--progress=plain", "-t", built, ".");
    assertEquals(0, build.exitCode(), "the build failed in mode " + mode + ":\n"
        + build.stderr());
    String log = build.stderr();
    if (mode.equals("C")) {
      assertEquals(1, log.lines().filter(l -> l.startsWith("jbuild: in-place mode")).count(),
          log);
    } else {
      // Rootless with the container's /proc shared, said once; never in-place.
      List<String> modeLines = log.lines().filter(l -> l.startsWith("jbuild: ")
          && l.contains(" mode")).toList();
      assertEquals(1, modeLines.size(), log);
      assertTrue(modeLines.get(0).startsWith("jbuild: rootless mode")
          && modeLines.get(0).contains("no PID namespace"), log);
    }
    assertTrue(log.contains("openjdk version \"17"), "java -version in a RUN step:\n" + log);
    assertTrue(log.contains("status Name=sed Uid=0 exe=/usr/bin/busybox")
        && log.contains("proc ok"), "the /proc script:\n" + log);
    // Debian's dpkg, not busybox's applet (which says "Setting up jbuild-hello (1.0)...").
    assertTrue(log.contains("Selecting previously unselected package jbuild-hello")
        && log.contains("Setting up jbuild-hello (1.0) ..."), "dpkg -i:\n" + log);

    docker(volumes, "save", "-o", "/jbuild/out/built.tar", built).assertSuccess();
    ExecutorImage.docker(true, List.of("load", "-i", out.resolve("built.tar").toString()));
    Jbuild.Result cmd = Docker.exec(List.of("docker", "run", "--rm", built));
    assertEquals(0, cmd.exitCode(), cmd.stderr());
    assertTrue(cmd.stderr().startsWith("openjdk version \"17"), cmd.stderr());
    Jbuild.Result hello = Docker.exec(List.of("docker", "run", "--rm", built, "sh", "-c",
        "jbuild-hello && cat /var/lib/jbuild-hello/postinst /proc-report"
            + " && /usr/bin/dpkg -s jbuild-hello | grep Status"));
    assertEquals("hello from a local deb\nconfigured\nstatus Name=sed Uid=0 exe=/usr/bin/busybox"
        + "\nproc ok\nStatus: install ok installed\n", hello.stdout(), hello.stderr());
  }

  /** The image a mode built, as tagged in Docker. */
  static String built(String mode) {
    return BUILT + "-" + mode.toLowerCase(java.util.Locale.ROOT) + ":1";
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

  /**
   * {@code docker run --rm OPTIONS IMAGE args} with SOURCE_DATE_EPOCH; jbuild is the entrypoint.
   */
  private static Jbuild.Result docker(List<String> options, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm", "-e",
        "SOURCE_DATE_EPOCH=1700000000"));
    cmd.addAll(options);
    cmd.add(IMAGE);
    cmd.addAll(List.of(args));
    return Docker.exec(cmd);
  }

  private static void run(List<String> cmd, Map<String, String> env, String... more)
      throws Exception {
    List<String> all = new ArrayList<>(cmd);
    all.addAll(List.of(more));
    Jbuild.Result r = ExecutorImage.script(work, all, env);
    if (r.exitCode() != 0) {
      throw new AssertionError(all + " exited " + r.exitCode() + ":\n" + r.stdout());
    }
  }
}
