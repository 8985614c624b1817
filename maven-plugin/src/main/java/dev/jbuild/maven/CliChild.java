package dev.jbuild.maven;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.registry.auth.Credential;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code jbuild} command in a child JVM, for the goals Maven's own JVM cannot run in process:
 * a JVM cannot start itself again in a user namespace, which is how the command gives a non-root
 * user rootless mode, nor become the in-place runner of a container without CAP_SYS_ADMIN. The
 * child is the same {@code java} as Maven's ({@code java.home}) with the plugin's own runtime
 * classpath (the builder jar and its dependencies) and the command's main class; it then picks
 * its isolation mode exactly as the command does for any user ({@code $JBUILD_ISOLATION}).
 *
 * <p>Registry credentials from {@code settings.xml} reach it only through its stdin ({@code
 * --registry-auth-stdin}), never its command line, environment or a file: {@code ps} and {@code
 * /proc/PID/environ} show them to other users and to anything that logs processes.
 */
final class CliChild {
  /** The {@code jbuild} command's main class. */
  static final String MAIN = "dev.jbuild.builder.cli.Main";
  /** The command's own variable for the mode; the plugin follows it. */
  static final String ISOLATION_ENV = "JBUILD_ISOLATION";
  private static final ObjectMapper JSON = new ObjectMapper();

  private CliChild() {}

  /**
   * Why the goals of this Maven JVM run the command in a child JVM, or null to run in process
   * (root of the host with CAP_SYS_ADMIN, or root of a user namespace, in mode {@code auto} or
   * {@code namespaces}).
   */
  static String reason() {
    return reason(Posix.isRoot(), Posix.inUserNamespace(), Posix.hasSysAdmin(),
        System.getenv(ISOLATION_ENV), System.getProperty("user.name"));
  }

  /** {@link #reason()} for given facts, so each case can be tested. */
  static String reason(boolean root, boolean userNamespace, boolean sysAdmin, String mode,
      String user) {
    String m = mode == null || mode.isBlank() ? "auto" : mode.strip();
    if (m.equals("rootless") || m.equals("inplace")) {
      return ISOLATION_ENV + "=" + m + " asks for a mode only the jbuild command can enter";
    }
    if (!root) {
      return "Maven runs as user " + user + ", not root";
    }
    if (!userNamespace && !sysAdmin) {
      return "Maven runs as root without CAP_SYS_ADMIN (no mounts or namespaces allowed here)";
    }
    return null;
  }

  /**
   * The child's process: this JVM's {@code java}, the plugin's classpath, the command's main
   * class and {@code arguments}; Maven's environment and working directory, nothing added.
   */
  static ProcessBuilder processBuilder(List<String> arguments) {
    return processBuilder(arguments, List.of());
  }

  /**
   * Like {@link #processBuilder(List)}, with {@code loggingJars} ({@link ChildLogging}: slf4j-api
   * and slf4j-simple) in place of Maven's slf4j API, so the child logs as the command does.
   */
  static ProcessBuilder processBuilder(List<String> arguments, List<Path> loggingJars) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // As the jbuild launcher starts it: the serial collector, and on Java 24+ no warnings about
    // jnr-ffi's and zstd-jni's native access (they would be log lines).
    command.add("-XX:+UseSerialGC");
    if (Runtime.version().feature() >= 24) {
      command.addAll(List.of("--enable-native-access=ALL-UNNAMED",
          "--sun-misc-unsafe-memory-access=allow"));
    }
    command.add("-cp");
    command.add(classpath(loggingJars));
    command.add(MAIN);
    command.addAll(arguments);
    return new ProcessBuilder(command);
  }

  /**
   * The plugin's runtime classpath: the jars of its class realm (Maven's plugin class loader is
   * a {@link URLClassLoader}), else this JVM's class path (tests); plus the slf4j API, which
   * Maven gives plugins from its own lib directory instead of the plugin's copy.
   */
  static String classpath() {
    return classpath(List.of());
  }

  /**
   * Like {@link #classpath()}; with {@code loggingJars} those come first and Maven's slf4j API
   * is left out, so the child's slf4j is the command's own version with its binding.
   */
  static String classpath(List<Path> loggingJars) {
    Set<String> entries = new LinkedHashSet<>();
    loggingJars.forEach(jar -> entries.add(jar.toString()));
    if (CliChild.class.getClassLoader() instanceof URLClassLoader realm) {
      for (URL url : realm.getURLs()) {
        addFile(entries, url);
      }
    }
    if (entries.size() == loggingJars.size()) {
      entries.addAll(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
    }
    if (!loggingJars.isEmpty()) {
      return String.join(File.pathSeparator, entries);
    }
    try {
      var source = Class.forName("org.slf4j.LoggerFactory", false,
          CliChild.class.getClassLoader()).getProtectionDomain().getCodeSource();
      if (source != null) {
        addFile(entries, source.getLocation());
      }
    } catch (ClassNotFoundException | SecurityException e) {
      // No slf4j at all: the command's libraries then log nothing, which they tolerate.
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void addFile(Set<String> entries, URL url) {
    if (url != null && url.getProtocol().equals("file")) {
      try {
        entries.add(Path.of(url.toURI()).toString());
      } catch (URISyntaxException | IllegalArgumentException e) {
        // Not a local file: the child could not open it either.
      }
    }
  }

  /**
   * The stdin of {@code --registry-auth-stdin}: {@code config.json}'s {@code auths} shape with
   * user names and passwords.
   */
  static byte[] authJson(Map<String, Credential> credentials) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode auths = root.putObject("auths");
    credentials.forEach((registry, c) -> auths.putObject(registry)
        .put("username", c.username()).put("password", c.password()));
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Runs the command with {@code arguments} and waits for it: {@code stdin} is written to its
   * standard input, which is then closed; each line of its stdout goes to {@code out} (on
   * another thread), each line of its stderr to {@code err}. Maven's interrupt (or a failing
   * consumer) stops the child, which cleans up as after Ctrl-C.
   *
   * @return the command's exit code
   * @throws IOException if the child JVM cannot be started
   */
  static int run(List<String> arguments, byte[] stdin, Consumer<String> out, Consumer<String> err)
      throws IOException, InterruptedException {
    return run(arguments, List.of(), stdin, out, err);
  }

  /** Like {@link #run(List, byte[], Consumer, Consumer)}, with the child's slf4j jars. */
  static int run(List<String> arguments, List<Path> loggingJars, byte[] stdin,
      Consumer<String> out, Consumer<String> err) throws IOException, InterruptedException {
    Process child = processBuilder(arguments, loggingJars).start();
    try {
      Thread stdout = new Thread(() -> lines(child.getInputStream(), out), "jbuild-child-stdout");
      stdout.setDaemon(true);
      stdout.start();
      try (OutputStream in = child.getOutputStream()) {
        in.write(stdin);
      } catch (IOException e) {
        // The child ended before reading its stdin; its stderr and exit code say why.
      }
      lines(child.getErrorStream(), err);
      stdout.join();
      return child.waitFor();
    } finally {
      if (child.isAlive()) {
        child.destroy(); // SIGTERM: the command removes its containers and scratch dirs
        child.waitFor();
      }
    }
  }

  private static void lines(InputStream stream, Consumer<String> consumer) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        consumer.accept(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
