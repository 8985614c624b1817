package dev.jbuild.samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code jbuild} command line in a child JVM with the test classpath, against one
 * store root, and captures what a user would see: exit code, stdout, stderr. The JVM starts as
 * {@link CliJvm} says: by default with the quick JIT (C1 only), which starts fastest; tests that
 * make the CLI hash tens of megabytes ask for the full JIT.
 */
public final class Jbuild {
  private static Path busyboxRootfs;

  private final Path root;
  private final CliJvm.Jit jit;

  public Jbuild(Path root) {
    this(root, CliJvm.Jit.QUICK);
  }

  public Jbuild(Path root, CliJvm.Jit jit) {
    this.root = root;
    this.jit = jit;
  }

  public Path root() {
    return root;
  }

  /** The outcome of one command. */
  public record Result(int exitCode, String stdout, String stderr) {
    public Result assertSuccess() {
      if (exitCode != 0) {
        throw new AssertionError("jbuild exited " + exitCode + "\nstdout:\n" + stdout
            + "\nstderr:\n" + stderr);
      }
      return this;
    }
  }

  /** The command line that starts the CLI on this store; append a command and its arguments. */
  public List<String> command() {
    return CliJvm.command(root, jit);
  }

  public Result run(String... args) throws IOException, InterruptedException {
    return runWithEnv(java.util.Map.of(), args);
  }

  /** Runs with extra environment variables, for example {@code SOURCE_DATE_EPOCH}. */
  public Result runWithEnv(java.util.Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    return runWithStdin(env, Path.of("/dev/null"), args);
  }

  /** Runs with {@code stdin} as standard input ({@code jbuild build - < ctx.tar}). */
  public Result runWithStdin(java.util.Map<String, String> env, Path stdin, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = command();
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("jbuild-out", ".txt");
    Path err = Files.createTempFile("jbuild-err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().putAll(env);
      Process p = pb
          .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("jbuild " + String.join(" ", args) + " timed out");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** The samples directory of the checkout ({@code samples/} next to this module's pom). */
  public static Path samplesDir() {
    Path here = Path.of("").toAbsolutePath();
    Path dir = here.getFileName().toString().equals("samples") ? here : here.resolve("samples");
    if (!Files.isDirectory(dir.resolve("helloworld"))) {
      throw new IllegalStateException("cannot find samples/helloworld from " + here);
    }
    return dir;
  }

  /** Imports the offline busybox base image as {@code ref} into this store. */
  public void importBusybox(Path work, String ref) throws IOException, InterruptedException {
    Path tar = work.resolve("busybox-rootfs.tar");
    if (!Files.exists(tar)) {
      Files.copy(busyboxRootfs(), tar);
    }
    run("import", tar.toString(), ref).assertSuccess();
  }

  /**
   * The tar of {@code base/busybox-rootfs.sh}, made once per test JVM, for tests that import it
   * in-process instead of through {@link #importBusybox}.
   */
  public static Path busyboxRootfsTar() throws IOException, InterruptedException {
    return busyboxRootfs();
  }

  /**
   * Where the suite keeps what it makes once per test JVM: {@code samples/target/}, not /tmp,
   * which SecretAttackTest searches file by file.
   */
  static Path scratchDir() throws IOException {
    Path target;
    try {
      target = samplesDir().resolve("target");
    } catch (IllegalStateException e) {
      return Path.of(System.getProperty("java.io.tmpdir"));
    }
    return Files.createDirectories(target);
  }

  /**
   * The tar of {@code base/busybox-rootfs.sh}, made once per test JVM: the script gives the same
   * bytes every time (fixed mtimes, sorted names) but forks a few hundred processes to get them.
   */
  static synchronized Path busyboxRootfs() throws IOException, InterruptedException {
    if (busyboxRootfs == null) {
      Path dir = Files.createTempDirectory(scratchDir(), "busybox-");
      Path tar = dir.resolve("busybox-rootfs.tar");
      dir.toFile().deleteOnExit();
      tar.toFile().deleteOnExit(); // runs before the directory's (reverse order)
      Process p = new ProcessBuilder(samplesDir().resolve("base/busybox-rootfs.sh").toString(),
          tar.toString()).inheritIO().start();
      if (p.waitFor() != 0) {
        throw new AssertionError("busybox-rootfs.sh failed (is busybox-static installed?)");
      }
      busyboxRootfs = tar;
    }
    return busyboxRootfs;
  }
}
