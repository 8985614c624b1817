package dev.jbuild.samples;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * How the tests start the real {@code jbuild} CLI in a child JVM: the options the {@code jbuild}
 * launcher uses (the serial collector and a class-data-sharing archive of the classes a command
 * loads, made once per test JVM with the hidden {@code cds-training} command, as the launcher
 * makes its {@code jbuild.jsa}; on Java 25 an AOT cache, as the launcher's {@code jbuild.aot}), the test classpath without this module's own test classes (the
 * CLI never needs them, and CDS cannot archive classes from a non-empty directory), and the main
 * class. The suite starts the CLI many hundred times; each start costs less CPU this way.
 *
 * <p>The options change how fast the JVM starts, never what the CLI does: when the archive cannot
 * be made or used, the JVM runs without it ({@code -Xshare:auto}), and {@code -Xlog:disable}
 * keeps its warnings ("Unable to use shared archive", on stdout) out of the output that the
 * tests read, as in the launcher. The archive lives under {@code samples/target/} ({@link
 * Jbuild#scratchDir}) and is removed when the test JVM exits.
 */
public final class CliJvm {
  /** All JIT tiers, or C1 only: starts fastest, but hashes ~9x slower (no SHA intrinsics). */
  public enum Jit {
    FULL, QUICK
  }

  private static List<String> archiveOptions;

  private CliJvm() {}

  /**
   * {@code java <options> -cp <classpath> dev.jbuild.builder.cli.Main --root <root>}: append the
   * command's arguments.
   */
  public static List<String> command(Path root, Jit jit) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:-UsePerfData");
    cmd.addAll(quietOptions());
    if (jit == Jit.QUICK) {
      cmd.add("-XX:TieredStopAtLevel=1");
    }
    cmd.addAll(archiveOptions());
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add("dev.jbuild.builder.cli.Main");
    cmd.add("--root");
    cmd.add(root.toString());
    return cmd;
  }

  /**
   * On Java 24 and later, what keeps the JVM from warning on stderr about what the libraries do
   * (jnr-ffi's JNI, sun.misc.Unsafe in jffi and zstd-jni), as the launcher passes them; none on 17.
   */
  static List<String> quietOptions() {
    return Runtime.version().feature() >= 24
        ? List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
        : List.of();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The test classpath less the directory this class was loaded from (the test classes). */
  static String classpath() {
    String own;
    try {
      own = Path.of(CliJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Tried to find the test classes' directory but failed "
          + "because: " + e.getMessage(), e);
    }
    return Arrays.stream(System.getProperty("java.class.path").split(":"))
        .filter(entry -> !Path.of(entry).toAbsolutePath().toString().equals(own))
        .collect(Collectors.joining(":"));
  }

  /**
   * The options that use this test JVM's archive, made on first use; none when it cannot be made
   * (a classpath of class directories, as in an IDE, or a JVM without dynamic archiving).
   */
  private static synchronized List<String> archiveOptions() {
    if (archiveOptions == null) {
      archiveOptions = makeArchive();
    }
    return archiveOptions;
  }

  private static List<String> makeArchive() {
    try {
      Path dir = Files.createTempDirectory(Jbuild.scratchDir(), "cli-jvm-");
      // Readable by all: a CLI re-executed as another user (rootless mode) may use it too.
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      // Java 25+: an AOT cache (JEP 483/514), as the launcher makes; else a CDS archive.
      boolean aot = Runtime.version().feature() >= 25;
      Path archive = dir.resolve(aot ? "cli.aot" : "cli.jsa");
      dir.toFile().deleteOnExit();
      archive.toFile().deleteOnExit(); // runs before the directory's (reverse order)
      List<String> dump = new ArrayList<>(List.of(java(), "-XX:+UseSerialGC"));
      dump.addAll(quietOptions());
      dump.addAll(List.of((aot ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + archive,
          "-Xlog:disable", "-cp", classpath(), "dev.jbuild.builder.cli.Main", "cds-training"));
      Process p = new ProcessBuilder(dump).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
      } else if (p.exitValue() == 0 && Files.isRegularFile(archive)) {
        // Only a complete archive: JDK 17 dies of SIGBUS on one cut short, even with auto.
        return aot ? List.of("-XX:AOTCache=" + archive, "-Xlog:disable")
            : List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:disable");
      }
      System.err.println("CliJvm: no class-data archive (exit " + (p.isAlive() ? "timeout"
          : p.exitValue()) + "); the CLI starts without one");
    } catch (IOException e) {
      System.err.println("CliJvm: no class-data archive: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return List.of();
  }
}
