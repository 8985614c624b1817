package dev.jbuild.samples.oracle;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One oracle case: {@code samples/src/test/resources/oracle/<name>/} holds a Dockerfile and the
 * context files, plus optionally
 * <ul>
 *   <li>{@code setup.sh}: run with {@code /bin/sh} inside the copied context, for what git cannot
 *       hold (modes like setuid, ownership, hardlinks, symlinks, long names, mtimes);</li>
 *   <li>{@code oracle.properties}: {@code build-args} (space separated {@code K=V}),
 *       {@code target}, {@code file} (the Dockerfile path inside the context), {@code args}
 *       (more build options for both engines, space separated; {@code {work}} stands for the
 *       case's work directory, the context's parent, where setup.sh may leave files such as
 *       secrets), and {@code expect=failure} when both engines must refuse the build;</li>
 *   <li>{@code http/}: files served over HTTP on 127.0.0.1 during the build (ADD from URLs);
 *       the build gets {@code --build-arg HTTP_BASE=http://127.0.0.1:PORT}.</li>
 * </ul>
 * None of these is part of the build context.
 */
record OracleCase(String name, Path dir, List<String> buildArgs, String target, String file,
    List<String> args, boolean expectFailure) {
  /** Context mtime for every entry the checkout or setup.sh did not date explicitly. */
  static final long CONTEXT_MTIME = 1_600_000_000L;

  static OracleCase load(Path dir) throws IOException {
    Properties p = new Properties();
    Path props = dir.resolve("oracle.properties");
    if (Files.exists(props)) {
      try (Reader r = Files.newBufferedReader(props)) {
        p.load(r);
      }
    }
    return new OracleCase(dir.getFileName().toString(), dir, words(p, "build-args"),
        p.getProperty("target"), p.getProperty("file"), words(p, "args"),
        "failure".equals(p.getProperty("expect")));
  }

  private static List<String> words(Properties p, String key) {
    String v = p.getProperty(key, "").trim();
    return v.isEmpty() ? List.of() : List.of(v.split("\\s+"));
  }

  /** The directory served over HTTP during the build, or null. */
  Path httpRoot() {
    Path http = dir.resolve("http");
    return Files.isDirectory(http) ? http : null;
  }

  /** The case directories, sorted, from the source tree (not target/: it drops modes/links). */
  static List<String> names() throws IOException {
    List<String> names = new ArrayList<>();
    try (var s = Files.list(root())) {
      s.filter(Files::isDirectory).forEach(d -> names.add(d.getFileName().toString()));
    }
    names.sort(null);
    return names;
  }

  static Path root() {
    Path here = Path.of("").toAbsolutePath();
    Path module = here.getFileName().toString().equals("samples") ? here : here.resolve("samples");
    Path dir = module.resolve("src/test/resources/oracle");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("cannot find the oracle cases at " + dir);
    }
    return dir;
  }

  /**
   * Copies the case into {@code ctx}, dates every entry {@link #CONTEXT_MTIME} (so that preserved
   * mtimes are recognisable and equal for both engines), then runs setup.sh there; entries that
   * setup.sh creates without dating them get the same fixed mtime.
   */
  void prepareContext(Path ctx) throws IOException {
    Files.createDirectories(ctx.getParent());
    run(List.of("cp", "-a", dir.toString(), ctx.toString()), ctx.getParent());
    Files.deleteIfExists(ctx.resolve("oracle.properties"));
    Files.deleteIfExists(ctx.resolve("setup.sh"));
    if (httpRoot() != null) {
      run(List.of("rm", "-rf", "http"), ctx);
    }
    String stamp = "@" + CONTEXT_MTIME;
    run(List.of("find", ".", "-exec", "touch", "-h", "-d", stamp, "{}", "+"), ctx);
    long before = System.currentTimeMillis() / 1000 - 2;
    Path setup = dir.resolve("setup.sh");
    if (Files.exists(setup)) {
      run(List.of("/bin/sh", "-eu", setup.toString()), ctx);
      run(List.of("find", ".", "-newermt", "@" + before, "-exec", "touch", "-h", "-d", stamp,
          "{}", "+"), ctx);
    }
  }

  private static void run(List<String> cmd, Path cwd) throws IOException {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
      pb.environment().putAll(Map.of("LC_ALL", "C"));
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IOException("Tried to prepare an oracle context with " + cmd
            + " but it failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + cmd, e);
    }
  }
}
