package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mode D of issue 12: the executor image of {@code samples/ci} run as its non-root user {@code
 * jbuild} (1000:1000) in {@code docker run --security-opt seccomp=unconfined}, without {@code
 * --privileged} or added capabilities (BuildKit's rootless-in-Kubernetes setup). jbuild
 * re-executes itself in a user namespace (newuidmap with file capabilities, the image's
 * {@code /etc/subuid} range), keeps its store on a volume (overlayfs on the container's own
 * overlay root is refused), and, since Docker's masks keep a new proc from being mounted, gives
 * RUN steps a bind of the container's {@code /proc} and no PID namespace. The images are the
 * ones a root host builds. ({@code ExecutorImageIntegrationTest} covers mode C, root in a default
 * container; this class builds the image the same way, with {@code build-executor.sh}.)
 */
@Tag("root")
class RootlessContainerIntegrationTest {
  @TempDir static Path work;
  static final String ID = UUID.randomUUID().toString().substring(0, 8);
  static final String IMAGE = "jbuild-executor-rootless-" + ID + ":dev";
  static final String SOURCE_DATE_EPOCH = "1700000000";
  /** The executor image's user with a subordinate id range (samples/ci/executor/etc). */
  static final int USER = 1000;
  static boolean loaded;

  @BeforeAll
  static void buildAndLoadTheExecutorImage() throws Exception {
    assumeTrue(Docker.available(),
        "RootlessContainerIntegrationTest needs a Docker engine to run the executor image");
    ExecutorImage.buildAndLoad(work, IMAGE);
    loaded = true;
  }

  @AfterAll
  static void removeDockerImage() throws Exception {
    if (loaded) {
      Docker.exec(List.of("docker", "rmi", "-f", IMAGE));
    }
  }

  /**
   * RUN steps as the non-root user: files, a chown to another user of the range, a whiteout, an
   * opaque directory, a hardlink, and a script reading {@code /proc/self/status} whose {@code
   * /proc/self} is its own {@code $$}; the image ID equals the root host's ({@code
   * SOURCE_DATE_EPOCH} set), and the mode is announced once with what is weaker here.
   */
  @Test
  void runStepsAsANonRootUserBuildTheImageARootHostBuilds() throws Exception {
    Path ctx = Files.createDirectories(work.resolve("run-ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        + "RUN echo hi > /hi && mkdir -p /srv/data && echo x > /srv/data/f\n"
        + "RUN rm /hi && rm -rf /srv/data && mkdir /srv/data && echo y > /srv/data/g\n"
        + "RUN ln /srv/data/g /srv/link && chown 1000:1000 /srv/data/g\n"
        // read is the shell itself: the pid in its /proc/self/stat must be its $$.
        + "RUN grep '^Name:' /proc/self/status > /srv/status"
        + " && read -r pid rest < /proc/self/stat && test \"$pid\" = \"$$\"\n"
        + "CMD [\"cat\", \"/srv/data/g\"]\n");
    Path store = store();
    Path out = Files.createDirectories(work.resolve("run-out"));
    own(out);

    Jbuild.Result r = asUser(List.of("-v", ctx + ":/workspace:ro", "-v", store + ":/jbuild/store",
        "-v", out + ":/out", "-e", "SOURCE_DATE_EPOCH=" + SOURCE_DATE_EPOCH),
        "build", "--progress=plain", "--iidfile", "/out/iid", "-t", "rootless", ".");
    assertEquals(0, r.exitCode(), r.stderr());
    List<String> modeLines = r.stderr().lines()
        .filter(l -> l.startsWith("jbuild: rootless mode")).toList();
    assertEquals(1, modeLines.size(), r.stderr());
    assertTrue(modeLines.get(0).contains("no PID namespace"), modeLines.get(0));

    hostStore().runWithEnv(Map.of("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH), "build", "--iidfile",
        work.resolve("run-host-iid").toString(), "-t", "rootless-on-host", ctx.toString())
        .assertSuccess();
    assertEquals(Files.readString(work.resolve("run-host-iid")).strip(),
        Files.readString(out.resolve("iid")).strip(),
        "the non-root user in a container built another image than a root host");
  }

  /** {@code --memory} needs cgroups the user may not write: one line naming the mode. */
  @Test
  void memoryLimitFailsInOneLineNamingTheMode() throws Exception {
    Path ctx = Files.createDirectories(work.resolve("mem-ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\nRUN echo hi > /hi\n");
    Path store = store();
    Jbuild.Result r = asUser(List.of("-v", ctx + ":/workspace:ro", "-v", store + ":/jbuild/store"),
        "build", "--progress=plain", "--memory", "64m", ".");
    assertNotEquals(0, r.exitCode(), "--memory was accepted:\n" + r.stderr());
    List<String> errors = r.stderr().lines().filter(l -> l.startsWith("error:")).toList();
    assertEquals(1, errors.size(), "expected one error line:\n" + r.stderr());
    assertTrue(errors.get(0).contains("rootless mode"), errors.get(0));
    Pattern stackFrame = Pattern.compile("^\\s+at [\\w.$]+\\(", Pattern.MULTILINE);
    assertTrue(!stackFrame.matcher(r.stderr()).find()
        && !r.stderr().contains("Exception in thread"), "stack trace:\n" + r.stderr());
  }

  /**
   * Attack from a RUN step that shares the container's processes: it must not read jbuild's
   * environment or memory (no CAP_SYS_PTRACE; jbuild's JVMs run with more capabilities or in
   * the parent namespace), mount a fresh proc, write {@code /sys}, or create files owned by an
   * id outside the user's range. Each attempt that succeeds prints a marker that fails the test.
   */
  @Test
  void aRunStepCannotReachJbuildThroughTheSharedProcesses() throws Exception {
    Path ctx = Files.createDirectories(work.resolve("attack-ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        // jbuild's JVMs and rrun, found by their command lines (the patterns are put together
        // at run time so that this script's own command line does not match).
        + "RUN j=jbuild; r=rr; L=LEAKED; n=0; for p in $(grep -l -e \"$j.jar\" -e \"/${r}un-\""
        + " /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do [ -d /proc/$p ] || continue;"
        + " n=$((n+1)); cat /proc/$p/environ >/dev/null 2>&1 && echo $L-environ-$p;"
        + " dd if=/proc/$p/mem bs=1 count=1 >/dev/null 2>&1 && echo $L-mem-$p;"
        + " readlink /proc/$p/exe >/dev/null 2>&1 && echo $L-exe-$p; done; echo FOUND-$n;"
        + " mkdir -p /tmp/p && mount -t proc proc /tmp/p 2>/dev/null && echo $L-proc;"
        + " touch /sys/kernel/jbuild 2>/dev/null && echo $L-sys;"
        + " touch /f && chown 200000 /f 2>/dev/null && echo $L-chown; true\n");
    Path store = store();
    Jbuild.Result r = asUser(List.of("-v", ctx + ":/workspace:ro", "-v", store + ":/jbuild/store"),
        "build", "--progress=plain", ".");
    assertEquals(0, r.exitCode(), r.stderr());
    assertTrue(!r.stderr().contains("LEAKED-") && !r.stdout().contains("LEAKED-"), r.stderr());
    // The step did see jbuild's processes (two JVMs, rrun's stages): the checks were not empty.
    java.util.regex.Matcher found = Pattern.compile("FOUND-(\\d+)").matcher(r.stderr());
    assertTrue(found.find() && Integer.parseInt(found.group(1)) >= 3, r.stderr());
  }

  /**
   * As {@code samples/ci/kubernetes-job-rootless.yaml} runs it: the store in a directory jbuild
   * creates in a volume that belongs to root with mode 0777 (what the kubelet makes of an
   * emptyDir), and what mode D gives over in-place mode C, which the manifest promises: {@code
   * RUN --network=none} gets a network namespace with loopback only (a RUN without it sees the
   * container's interfaces), {@code RUN --mount=type=secret} and {@code type=cache} work.
   */
  @Test
  void asTheRootlessKubernetesJobDoesWithNetworkNoneSecretsAndCacheMounts() throws Exception {
    String manifest = Files.readString(Jbuild.samplesDir().resolve(
        "ci/kubernetes-job-rootless.yaml"));
    for (String line : List.of("runAsUser: 1000", "type: Unconfined",
        "value: /jbuild/cache/store", "mountPath: /jbuild/cache", "emptyDir: {}",
        "allowPrivilegeEscalation: true")) {
      assertTrue(manifest.contains(line), "kubernetes-job-rootless.yaml no longer has \"" + line
          + "\": update this test, which runs what the manifest says");
    }
    Path ctx = Files.createDirectories(work.resolve("k8s-ctx"));
    // /proc/self/net/dev lists the interfaces of the reader's network namespace (the bound
    // /proc is the container's, but self is the step): one line with a colon per interface.
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        + "RUN echo default-links=$(grep -c : /proc/self/net/dev)\n"
        + "RUN --network=none n=$(grep -c : /proc/self/net/dev) && echo none-links=$n"
        + " && grep -q ' lo:' /proc/self/net/dev && test $n = 1\n"
        + "RUN --mount=type=secret,id=tok test \"$(cat /run/secrets/tok)\" = s3cret"
        + " && echo secret-ok\n"
        + "RUN --mount=type=cache,target=/c echo x > /c/x && test -f /c/x && echo cache-ok\n");
    Path in = Files.createDirectories(work.resolve("k8s-in"));
    Files.writeString(in.resolve("tok"), "s3cret");
    Files.setPosixFilePermissions(in.resolve("tok"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    hostStore();
    Path cache = Files.createDirectories(work.resolve("k8s-cache"));
    Files.setPosixFilePermissions(cache,
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    List<String> opts = List.of("-v", ctx + ":/workspace:ro", "-v", cache + ":/jbuild/cache",
        "-v", work.resolve("in") + ":/in:ro", "-v", in + ":/k8s-in:ro",
        "-e", "JBUILD_ROOT=/jbuild/cache/store");
    Jbuild.Result load = asUser(opts, "load", "-i", "/in/busybox.tar");
    assertEquals(0, load.exitCode(), load.stderr());
    Jbuild.Result r = asUser(opts, "build", "--progress=plain", "--secret",
        "id=tok,src=/k8s-in/tok", ".");
    assertEquals(0, r.exitCode(), r.stderr());
    assertTrue(r.stderr().contains("none-links=1") && r.stderr().contains("secret-ok")
        && r.stderr().contains("cache-ok"), r.stderr());
    java.util.regex.Matcher links = Pattern.compile("default-links=(\\d+)").matcher(r.stderr());
    assertTrue(links.find() && Integer.parseInt(links.group(1)) > 1,
        "a RUN without --network=none should see the container's own interfaces:\n"
        + r.stderr());
    assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_EXECUTE), Files.getPosixFilePermissions(cache.resolve("store")),
        "the store jbuild made in the volume is private to the user");
    assertEquals(USER, Files.getAttribute(cache.resolve("store"), "unix:uid"));
  }

  /**
   * Bad input the manifest warns about: the volume itself as the store ({@code JBUILD_ROOT} at
   * the mount point of an emptyDir, root's and mode 0777, which the user may not make private to
   * itself, as the store's root must be). jbuild refuses it in one line naming the directory,
   * with no stack trace, and leaves the volume's mode alone.
   */
  @Test
  void aStoreOnTheVolumeRootThatRootOwnsFailsInOneLine() throws Exception {
    Path volume = Files.createDirectories(work.resolve("k8s-volume-root"));
    Set<PosixFilePermission> open =
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx");
    Files.setPosixFilePermissions(volume, open);
    hostStore();
    Jbuild.Result r = asUser(List.of("-v", volume + ":/jbuild/store",
        "-v", work.resolve("in") + ":/in:ro"), "load", "-i", "/in/busybox.tar");
    assertNotEquals(0, r.exitCode(), "a store jbuild cannot make private was used:\n"
        + r.stderr());
    List<String> errors = r.stderr().lines().filter(l -> l.startsWith("error:")).toList();
    assertEquals(1, errors.size(), "expected one error line:\n" + r.stderr());
    assertTrue(errors.get(0).contains("/jbuild/store"), errors.get(0));
    assertTrue(!Pattern.compile("^\\s+at [\\w.$]+\\(", Pattern.MULTILINE).matcher(r.stderr())
        .find() && !r.stderr().contains("Exception in thread"), "stack trace:\n" + r.stderr());
    assertEquals(open, Files.getPosixFilePermissions(volume));
  }

  /** jbuild as root on this host, with the busybox base image saved for the containers. */
  private static synchronized Jbuild hostStore() throws Exception {
    Jbuild host = new Jbuild(work.resolve("host-ref-store"));
    if (!Files.exists(work.resolve("in/busybox.tar"))) {
      host.importBusybox(work, "localbase/busybox:1");
      Files.createDirectories(work.resolve("in"));
      host.run("save", "-o", work.resolve("in/busybox.tar").toString(), "localbase/busybox:1")
          .assertSuccess();
      // The user of the container reads it through the mount.
      Files.setPosixFilePermissions(work.resolve("in/busybox.tar"),
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }
    return host;
  }

  /**
   * The store directory the tests share (as CI jobs share a cache volume), owned by the
   * container's user, for {@code /jbuild/store}, into which the user has loaded the base image
   * (so that its files carry the ids of the user's namespace).
   */
  private static synchronized Path store() throws Exception {
    Path store = work.resolve("store");
    if (Files.isDirectory(store)) {
      return store;
    }
    hostStore();
    Files.createDirectories(store);
    own(store);
    Jbuild.Result r = asUser(List.of("-v", work.resolve("in") + ":/in:ro",
        "-v", store + ":/jbuild/store"), "load", "-i", "/in/busybox.tar");
    assertEquals(0, r.exitCode(), r.stderr());
    return store;
  }

  private static void own(Path dir) throws IOException {
    Files.setAttribute(dir, "unix:uid", USER);
    Files.setAttribute(dir, "unix:gid", USER);
  }

  /**
   * {@code docker run --rm --user 1000:1000 --security-opt seccomp=unconfined [opts] IMAGE
   * args...}, with {@code apparmor=unconfined} too where AppArmor is active, as BuildKit's
   * rootless Kubernetes example has it.
   */
  private static Jbuild.Result asUser(List<String> opts, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("run", "--rm", "--user", USER + ":" + USER,
        "--security-opt", "seccomp=unconfined"));
    Path apparmor = Path.of("/sys/module/apparmor/parameters/enabled");
    if (Files.isReadable(apparmor) && Files.readString(apparmor).strip().equals("Y")) {
      cmd.addAll(List.of("--security-opt", "apparmor=unconfined"));
    }
    cmd.addAll(opts);
    cmd.add(IMAGE);
    cmd.addAll(List.of(args));
    return ExecutorImage.docker(false, cmd);
  }

}
