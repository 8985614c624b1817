package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets (issue #10 item 3) on real namespaces as root: the file is on a private tmpfs with the
 * asked owner and mode, the env variable is set, and the value is on no host disk, not even in
 * the spec, while the command runs.
 */
@Tag("root")
class SecretMountTest {
  @TempDir static Path shared;
  static Path lower;
  static Path state;
  static ContainerRunner runner;

  @TempDir Path tmp;
  Path upper;
  Path work;

  @BeforeAll
  static void setUp() throws Exception {
    lower = BusyboxRootfs.create(shared.resolve("lower"));
    state = shared.resolve("state");
    runner = ContainerRunner.create(state);
  }

  @AfterAll
  static void tearDown() {
    runner.close();
  }

  @BeforeEach
  void dirs() throws IOException {
    upper = Files.createDirectories(tmp.resolve("upper"));
    work = Files.createDirectories(tmp.resolve("work"));
  }

  private ContainerSpec.Builder spec(String script) {
    return ContainerSpec.builder().lowerDirs(List.of(lower)).upperDir(upper).workDir(work)
        .env(List.of("PATH=/bin", "TOKEN=not-the-secret")).args("sh", "-c", script);
  }

  private static String newValue() {
    return "s3cr3t-" + UUID.randomUUID();
  }

  /**
   * The file is readable at its target with the given owner and mode, on a read-only tmpfs
   * mount, and while the command runs no file on the host (the upper and work dirs, the runner's
   * state and per-run dirs) holds the value; afterwards the upperdir has no trace of the mount.
   */
  @Test
  void secretFile_onTmpfsWithOwnerAndMode_neverOnDisk() throws Exception {
    String value = newValue();
    Path ctl = Files.createDirectories(tmp.resolve("ctl"));
    ContainerSpec spec = spec("stat -c '%a %u %g' /run/secrets/s; cat /run/secrets/s; echo;"
        + " grep ' /run/secrets/s ' /proc/self/mountinfo;"
        + " echo x > /run/secrets/s 2>/dev/null && echo writable || echo read-only;"
        + " touch /ctl/ready; while [ ! -e /ctl/go ]; do sleep 0.1; done")
        .addMount(new BindMount(ctl, "/ctl", false))
        .addSecret(new SecretMount("/run/secrets/s", null,
            value.getBytes(StandardCharsets.UTF_8), 65534, 10, 0440))
        .build();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Future<ExitStatus> running =
          pool.submit(() -> runner.run(spec, out, err, Duration.ofMinutes(5)));
      while (!Files.exists(ctl.resolve("ready")) && !running.isDone()) {
        Thread.sleep(50);
      }
      assertFalse(running.isDone(), () -> "ended early: " + err);
      List<Path> searched = new ArrayList<>(List.of(tmp, state, Path.of("/run/jbuild")));
      assertEquals(List.of(), filesContaining(searched, value), "secret on the host's disk");
      Files.createFile(ctl.resolve("go"));
      ExitStatus status = running.get();
      assertEquals(0, status.exitCode(), err.toString());
      List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
      assertEquals("440 65534 10", lines.get(0));
      assertEquals(value, lines.get(1));
      String mountinfo = lines.get(2);
      assertTrue(mountinfo.contains(" - tmpfs "), mountinfo);
      assertTrue(mountinfo.matches(".* /run/secrets/s ro,.*"), mountinfo);
      assertTrue(mountinfo.contains("nosuid") && mountinfo.contains("nodev")
          && mountinfo.contains("noexec"), mountinfo);
      assertEquals("read-only", lines.get(3));
      // The stubs (run/, run/secrets/, the file) were removed from the upperdir.
      assertFalse(Files.exists(upper.resolve("run")), "mount stub left in the upperdir");
    } finally {
      pool.shutdownNow();
    }
  }

  /** An env secret overrides a same-named variable; with a target it is also a file. */
  @Test
  void envSecret_setForTheCommand_withOrWithoutFile() throws Exception {
    String value = newValue();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExitStatus status = runner.run(spec("echo \"$TOKEN\"; echo \"$BOTH\"; cat /etc/both;"
        + " echo; [ -e /run/secrets ] && echo has-dir || echo no-dir")
        .addSecret(new SecretMount(null, "TOKEN", value.getBytes(StandardCharsets.UTF_8),
            0, 0, 0400))
        .addSecret(new SecretMount("/etc/both", "BOTH", "two".getBytes(StandardCharsets.UTF_8),
            0, 0, 0400))
        .build(), out, err);
    assertEquals(0, status.exitCode(), err.toString());
    assertEquals(List.of(value, "two", "two", "no-dir"),
        out.toString(StandardCharsets.UTF_8).lines().toList());
  }

  /** Binary values survive the trip (base64 in the spec); toString never shows the value. */
  @Test
  void binaryValue_arrivesExactly_andIsNeverPrinted() throws Exception {
    byte[] value = new byte[256];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) i;
    }
    SecretMount secret = new SecretMount("/bin.key", null, value, 0, 0, 0400);
    assertFalse(secret.toString().contains("\u0001"), secret.toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExitStatus status = runner.run(spec("cat /bin.key").addSecret(secret).build(), out,
        new ByteArrayOutputStream());
    assertEquals(0, status.exitCode());
    assertEquals(java.util.Arrays.toString(value), java.util.Arrays.toString(out.toByteArray()));
    assertThrows(IllegalArgumentException.class,
        () -> new SecretMount(null, "KEY", value, 0, 0, 0400), "NUL byte in an env secret");
  }

  /** The spec reaches rrun over a pipe, so an interactive run (stdin attached) refuses secrets. */
  @Test
  void interactiveRun_refusesSecrets() {
    ContainerSpec spec = spec("true").addSecret(new SecretMount("/s", null,
        "x".getBytes(StandardCharsets.UTF_8), 0, 0, 0400)).build();
    RunnerException e = assertThrows(RunnerException.class,
        () -> runner.runAttached(spec, true, false));
    assertTrue(e.getMessage().contains("secrets"), e.getMessage());
  }

  private static List<Path> filesContaining(List<Path> roots, String value) throws IOException {
    byte[] needle = value.getBytes(StandardCharsets.UTF_8);
    List<Path> hits = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile()) {
            try (InputStream in = Files.newInputStream(file)) {
              if (new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)
                  .contains(new String(needle, StandardCharsets.ISO_8859_1))) {
                hits.add(file);
              }
            } catch (IOException e) {
              // gone meanwhile
            }
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    }
    return hits;
  }
}
