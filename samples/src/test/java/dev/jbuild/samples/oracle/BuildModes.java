package dev.jbuild.samples.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.samples.ExecutorImage;
import dev.jbuild.samples.Jbuild;
import dev.jbuild.samples.TestUsers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The four environments of issue 12 in which {@link ModesOracleTest} builds the oracle cases,
 * each with its own store, all from the same base image archive and with {@code
 * SOURCE_DATE_EPOCH} set:
 * <ul>
 *   <li>A: root on this host ({@code java -jar jbuild.jar}, namespaces and overlayfs);</li>
 *   <li>B: a throwaway non-root user with {@code /etc/subuid} ranges (setpriv, rootless mode), as
 *       in {@code RootlessBuildTest};</li>
 *   <li>C: root in one default {@code docker run} of the executor image (no --privileged, in-place
 *       mode), as in {@code ExecutorImageIntegrationTest}: one container builds every case in
 *       turn, as a CI job that builds several images would, so the root it replaces carries over
 *       from one build to the next;</li>
 *   <li>D: the executor image's non-root user {@code jbuild} (1000) in one {@code docker run
 *       --security-opt seccomp=unconfined} (rootless mode in a user namespace, the container's
 *       /proc bound, no PID namespace), the store on a volume, as in {@code
 *       RootlessContainerIntegrationTest}: one container for every case, like C. Its {@code
 *       /etc/subuid} and {@code /etc/subgid} are replaced by B's {@link #SUBID_COUNT} ids, for
 *       the same reason as B's.</li>
 * </ul>
 * Everything here is created by {@link #prepare} and removed by {@link #close}: the user (and
 * its subuid lines), the executor image in dockerd. The stores live under the test's temp dir.
 */
final class BuildModes implements AutoCloseable {
  static final String EPOCH = "1700000000";
  static final String BASE = "localbase/busybox:1";
  /**
   * Subordinate ids for the rootless users (B's, and D's in the container): useradd's default
   * 65536, which the executor image has too, would refuse (by design) the owners 200000 of
   * copy-chown and 3000000 of run-file-types, and hide the rest of those cases.
   */
  static final int SUBID_COUNT = 4_000_000;
  /**
   * Where mode C's container gets the contexts, the base archive and the results: inside
   * /jbuild, which in-place mode keeps out of the image. A volume elsewhere is a kept host path
   * too, and a RUN that writes there (copy-from's {@code /out}) writes into the volume, not
   * the layer. (Mode D's RUN steps see only the image's root, so the place does not matter there.)
   */
  static final String IN_CONTAINER = "/jbuild/oracle";

  /** An isolation mode of issue 12, as the oracle names it in messages. */
  enum Mode {
    A("mode A (root on the host)"),
    B("mode B (rootless, a user with subuid ranges)"),
    C("mode C (in-place, root in a default docker run)"),
    D("mode D (rootless, user 1000 in docker run --security-opt seccomp=unconfined)");

    final String label;

    Mode(String label) {
      this.label = label;
    }
  }

  /** One build: the exit code, the image ID (null when it failed), and what jbuild printed. */
  record Outcome(int exitCode, String imageId, String stderr) {
    boolean built() {
      return exitCode == 0 && imageId != null;
    }

    List<String> errorLines() {
      return stderr.lines().filter(l -> l.startsWith("error:")).toList();
    }
  }

  final Path work;
  private final Path jar;
  private final String user;
  private final String image;
  private List<String> entrypoint;
  /** The JVM options that use {@link #makeClassArchive}'s archive; none without one. */
  private List<String> classArchive = List.of();
  private boolean imageLoaded;

  private BuildModes(Path work, Path jar, String user, String image) {
    this.work = work;
    this.jar = jar;
    this.user = user;
    this.image = image;
  }

  /**
   * Copies the jar, makes the base archive (imported in A's store, saved for B and C), adds the
   * throwaway user, builds the executor image with {@code samples/ci/build-executor.sh} (or
   * reuses the one {@link ExecutorImage} built in this test JVM from the same jar) and loads it
   * into dockerd. Close the result even when this throws halfway: it removes what exists.
   */
  static BuildModes prepare(Path work) throws Exception {
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path top = Jbuild.samplesDir().getParent();
    Path builtJar = Path.of(System.getProperty("jbuild.jar",
        top.resolve("builder/target/jbuild.jar").toString()));
    if (!Files.isRegularFile(builtJar)) {
      throw new AssertionError("the build must have packaged " + builtJar);
    }
    Path jar = Files.copy(builtJar, work.resolve("jbuild.jar"));
    int n = ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    BuildModes m = new BuildModes(work, jar, "jbmo" + n, "jbuild-modes-oracle-" + n + ":dev");
    m.classArchive = makeClassArchive(work, jar);
    Path in = Files.createDirectories(work.resolve("in"));
    Path rootfs = in.resolve("busybox-rootfs.tar");
    exec(List.of(top.resolve("samples/base/busybox-rootfs.sh").toString(), rootfs.toString()),
        Map.of()).assertSuccess("busybox-rootfs.sh (is busybox-static installed?)");
    m.onHost(Mode.A, "import", rootfs.toString(), BASE).assertSuccess("import the base");
    m.onHost(Mode.A, "save", "-o", in.resolve("base.tar").toString(), BASE)
        .assertSuccess("save the base");
    for (Path p : List.of(jar, rootfs, in.resolve("base.tar"))) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
    }

    TestUsers.add(m.user, "-K", "SUB_UID_COUNT=" + SUBID_COUNT, "-K",
        "SUB_GID_COUNT=" + SUBID_COUNT);
    for (String dir : List.of("home", "out-B")) {
      Path d = Files.createDirectories(work.resolve(dir));
      exec(List.of("chown", m.user + ":" + m.user, d.toString()), Map.of()).assertSuccess("chown");
    }
    m.onHost(Mode.B, "load", "-i", in.resolve("base.tar").toString()).assertSuccess("load base");

    m.imageLoaded = true;
    if (builtJar.equals(top.resolve("builder/target/jbuild.jar"))) {
      // The jar the other executor-image tests use: share their image (built once per test JVM)
      // instead of running build-executor.sh again (a 50 MB context built, saved and loaded).
      ExecutorImage.buildAndLoad(work, m.image);
    } else {
      Path archive = work.resolve("executor.tar");
      exec(List.of(top.resolve("samples/ci/build-executor.sh").toString(), "--tag", m.image,
          "--save", archive.toString()), Map.of("JBUILD_ROOT", work.resolve("executor-store")
          .toString(), "JBUILD_JAR", jar.toString())).assertSuccess("build-executor.sh");
      exec(List.of("docker", "load", "-i", archive.toString()), Map.of()).assertSuccess("load");
      Files.delete(archive);
    }
    String json = exec(List.of("docker", "image", "inspect", "-f", "{{json .Config.Entrypoint}}",
        m.image), Map.of()).assertSuccess("inspect").output();
    m.entrypoint = new ArrayList<>();
    for (JsonNode word : new ObjectMapper().readTree(json)) {
      m.entrypoint.add(word.asText());
    }
    return m;
  }

  /** The image of the executor, for tests that run it themselves. */
  String image() {
    return image;
  }

  /** The arguments of {@code jbuild build} for a case whose directory is {@code caseDir}. */
  static List<String> buildArgs(OracleCase c, String caseDir, String iidFile) {
    List<String> a = new ArrayList<>(List.of("build", "--progress=plain", "--iidfile", iidFile,
        "-t", "modes/" + c.name()));
    for (String arg : c.buildArgs()) {
      a.addAll(List.of("--build-arg", arg));
    }
    if (c.target() != null) {
      a.addAll(List.of("--target", c.target()));
    }
    for (String arg : c.args()) {
      a.add(arg.replace("{work}", caseDir));
    }
    if (c.file() != null) {
      a.addAll(List.of("-f", caseDir + "/ctx/" + c.file()));
    }
    a.add(caseDir + "/ctx");
    return a;
  }

  /** Builds one case prepared under {@code cases/<name>} as root (A) or as the user (B). */
  Outcome buildOnHost(Mode mode, OracleCase c) throws Exception {
    Path iid = work.resolve("out-" + mode).resolve(c.name() + ".iid");
    Files.createDirectories(iid.getParent());
    Exec r = onHost(mode, buildArgs(c, work.resolve("cases").resolve(c.name()).toString(),
        iid.toString()).toArray(String[]::new));
    return new Outcome(r.code(), Files.exists(iid) ? Files.readString(iid).strip() : null,
        r.output());
  }

  /**
   * Builds every case in one {@code docker run} of the executor image, as root with Docker's
   * defaults (mode C) or as its user 1000 with seccomp unconfined (mode D, {@link
   * #containerOptions}): a busybox shell loop, started before the first build replaces the root
   * (C), launches jbuild through the image's own loader (the entrypoint) per case and leaves each
   * case's image ID, stderr and exit code in a mounted directory. The base is loaded from the
   * archive first, by the container's user, so that in D its files carry the namespace's ids.
   * Before that, a {@code cds-training} run makes a class-data archive that the later JVMs (about
   * 90 starts in C and D together) use through {@code JAVA_TOOL_OPTIONS}, as the host modes do
   * ({@link #makeClassArchive}); without it they start as before.
   */
  Map<String, Outcome> buildInContainer(Mode mode, List<OracleCase> cases) throws Exception {
    if (mode != Mode.C && mode != Mode.D) {
      throw new IllegalArgumentException(mode + " does not build in a container");
    }
    Path out = containerDir("out-", mode);
    Path store = containerDir("store-", mode);
    StringBuilder sh = new StringBuilder("cd " + IN_CONTAINER + "/out || exit 3\njb() {");
    for (String w : entrypoint) {
      sh.append(' ').append(quote(w));
    }
    sh.append(" \"$@\"; }\n");
    // Before the first build: in C it replaces the root, mv included (the rest are builtins).
    String jsa = IN_CONTAINER + "/out/jbuild.jsa";
    sh.append("JAVA_TOOL_OPTIONS=\"$JAVA_TOOL_OPTIONS -XX:ArchiveClassesAtExit=").append(jsa)
        .append(".tmp -Xlog:disable\" jb cds-training > cds.log 2>&1 && [ -s ").append(jsa)
        .append(".tmp ] && mv ").append(jsa).append(".tmp ").append(jsa)
        .append(" && export JAVA_TOOL_OPTIONS=\"$JAVA_TOOL_OPTIONS -XX:SharedArchiveFile=")
        .append(jsa).append(" -Xshare:auto -Xlog:disable\"\n");
    sh.append("jb load -i ").append(IN_CONTAINER)
        .append("/in/base.tar > load.log 2>&1 || exit 4\n");
    for (OracleCase c : cases) {
      sh.append("jb");
      for (String a : buildArgs(c, IN_CONTAINER + "/cases/" + c.name(),
          IN_CONTAINER + "/out/" + c.name() + ".iid")) {
        sh.append(' ').append(quote(a));
      }
      sh.append(" > ").append(c.name()).append(".out 2> ").append(c.name()).append(".err; echo $? > ")
          .append(c.name()).append(".rc\n");
    }
    String script = "in-container-" + mode + ".sh";
    Files.writeString(work.resolve("cases").resolve(script), sh.toString());
    List<String> cmd = new ArrayList<>(containerOptions(mode));
    cmd.addAll(List.of("--entrypoint", "/bin/sh",
        "-e", "SOURCE_DATE_EPOCH=" + EPOCH, "-e", "JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1",
        "-v", work.resolve("cases") + ":" + IN_CONTAINER + "/cases:ro",
        "-v", work.resolve("in") + ":" + IN_CONTAINER + "/in:ro",
        "-v", out + ":" + IN_CONTAINER + "/out", "-v", store + ":/jbuild/store",
        image, IN_CONTAINER + "/cases/" + script));
    Exec run = exec(cmd, Map.of());
    run.assertSuccess("docker run of the " + mode + " loop (load.log: "
        + (Files.exists(out.resolve("load.log")) ? Files.readString(out.resolve("load.log")) : "")
        + ")");
    System.err.printf("modes oracle: %s %s a class-data archive%n", mode,
        Files.isRegularFile(out.resolve("jbuild.jsa")) ? "used" : "did not use");
    Map<String, Outcome> results = new LinkedHashMap<>();
    for (OracleCase c : cases) {
      Path iid = out.resolve(c.name() + ".iid");
      results.put(c.name(), new Outcome(
          Integer.parseInt(Files.readString(out.resolve(c.name() + ".rc")).strip()),
          Files.exists(iid) ? Files.readString(iid).strip() : null,
          Files.readString(out.resolve(c.name() + ".err"))));
    }
    return results;
  }

  /** {@code jbuild save} of a case's image from the mode's store, read back (for diagnosis). */
  SavedImage save(Mode mode, String caseName) throws Exception {
    String file = caseName + "-" + mode + ".tar";
    if (mode == Mode.C || mode == Mode.D) {
      List<String> cmd = new ArrayList<>(containerOptions(mode));
      cmd.addAll(List.of("-v", work.resolve("store-" + mode) + ":/jbuild/store",
          "-v", work.resolve("out-" + mode) + ":/out", image, "save", "-o", "/out/" + file,
          "modes/" + caseName));
      exec(cmd, Map.of()).assertSuccess("save in " + mode.label);
      return SavedImage.read(work.resolve("out-" + mode).resolve(file));
    }
    Path archive = work.resolve("out-" + mode).resolve(file);
    onHost(mode, "save", "-o", archive.toString(), "modes/" + caseName).assertSuccess("save");
    return SavedImage.read(archive);
  }

  /**
   * {@code docker run --rm} and the options of a container mode: none for C (Docker's defaults,
   * root); for D {@link ExecutorImage#modeDOptions} (user 1000, seccomp unconfined) and {@link
   * #SUBID_COUNT} subordinate ids for the image's user, from files bound over the image's.
   */
  private List<String> containerOptions(Mode mode) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm"));
    if (mode == Mode.D) {
      cmd.addAll(ExecutorImage.modeDOptions());
      Path subids = work.resolve("in-D/subids");
      if (!Files.exists(subids)) {
        Files.createDirectories(subids.getParent());
        Files.writeString(subids, "jbuild:100000:" + SUBID_COUNT + "\n");
        Files.setPosixFilePermissions(subids, PosixFilePermissions.fromString("rw-r--r--"));
      }
      cmd.addAll(List.of("-v", subids + ":/etc/subuid:ro", "-v", subids + ":/etc/subgid:ro"));
    }
    return cmd;
  }

  /** {@code work/<prefix><mode>}, created, and owned by the container's user in mode D. */
  private Path containerDir(String prefix, Mode mode) throws Exception {
    Path dir = Files.createDirectories(work.resolve(prefix + mode));
    if (mode == Mode.D) {
      Files.setAttribute(dir, "unix:uid", ExecutorImage.USER);
      Files.setAttribute(dir, "unix:gid", ExecutorImage.USER);
    }
    return dir;
  }

  /** {@code java -jar jbuild.jar --root <mode's store> args} as root (A) or as the user (B). */
  private Exec onHost(Mode mode, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    if (mode == Mode.B) {
      cmd.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups",
          "--"));
    }
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(classArchive);
    cmd.addAll(List.of("-jar", jar.toString(), "--root",
        (mode == Mode.B ? work.resolve("home/store") : work.resolve("store-A")).toString()));
    cmd.addAll(List.of(args));
    return exec(cmd, Map.of("SOURCE_DATE_EPOCH", EPOCH, "HOME",
        (mode == Mode.B ? work.resolve("home") : work).toString()));
  }


  /**
   * A class-data-sharing archive of what a jbuild command loads, for the host modes' JVMs (about
   * 90 starts, B's re-executions included), made as the {@code jbuild} launcher makes its
   * {@code jbuild.jsa}: a {@code cds-training} run with {@code -XX:ArchiveClassesAtExit}. It
   * changes how fast the JVM starts, never what jbuild does: without an archive (or with one the
   * JVM cannot use: {@code -Xshare:auto}) the options are empty and the JVM starts as before.
   * The file is mode 0444, in {@code work} (0755), so B's user reads it too.
   */
  private static List<String> makeClassArchive(Path work, Path jar) throws Exception {
    Path tmp = work.resolve("jbuild.jsa.tmp");
    Path archive = work.resolve("jbuild.jsa");
    // Renamed only after the JVM that wrote it exited 0: JDK 17 dies of SIGBUS on an archive
    // cut short, even with -Xshare:auto (as in the launcher and CliJvm).
    Exec training = exec(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-XX:ArchiveClassesAtExit=" + tmp, "-Xlog:disable", "-jar", jar.toString(),
        "cds-training"), Map.of());
    if (training.code() != 0 || !Files.isRegularFile(tmp) || Files.size(tmp) == 0) {
      System.err.println("modes oracle: no class-data archive (exit " + training.code()
          + "); the host modes' JVMs start without one");
      Files.deleteIfExists(tmp);
      return List.of();
    }
    Files.move(tmp, archive);
    return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:disable");
  }

  @Override
  public void close() throws Exception {
    // userdel also removes the user's /etc/subuid and /etc/subgid lines; it fails harmlessly
    // when prepare() stopped before useradd.
    TestUsers.remove(user);
    if (imageLoaded) {
      exec(List.of("docker", "rmi", "-f", image), Map.of());
    }
  }

  private static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** A command's exit code and its output (stdout then stderr, as jbuild's errors go there). */
  record Exec(int code, String output) {
    Exec assertSuccess(String what) {
      if (code != 0) {
        throw new AssertionError(what + " failed (exit " + code + "):\n" + output);
      }
      return this;
    }
  }

  /**
   * Runs a command with jbuild's variables cleared (a CI shell may set them) and {@code env}
   * added; stdout and stderr are captured separately, then joined (stderr last).
   */
  static Exec exec(List<String> cmd, Map<String, String> env) throws Exception {
    Path out = Files.createTempFile("modes-out", ".txt");
    Path err = Files.createTempFile("modes-err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      for (String var : List.of("JBUILD_ISOLATION", "JBUILD_ROOT", "XDG_RUNTIME_DIR",
          "SOURCE_DATE_EPOCH", "JBUILD_JAR")) {
        pb.environment().remove(var);
      }
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not end in 30 minutes");
      }
      return new Exec(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8)
          + Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
