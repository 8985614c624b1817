package dev.jbuild.builder;

import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.runner.CommandRunner;
import dev.jbuild.runner.ContainerSpec;
import dev.jbuild.runner.ExitStatus;
import dev.jbuild.runner.RunnerException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link CommandRunner} for builder tests without root: no container, no overlay. It records
 * every spec it is given and interprets a tiny shell over the spec's lower dirs, writing the
 * changes into the spec's upperdir in overlay form, as the kernel would through the merged mount
 * (directories that exist below are copied up first; deletions become whiteouts), so the builder
 * diffs them into layers exactly as it does a real RUN step's upperdir.
 *
 * <p>Understood: {@code /bin/sh -c SCRIPT} (any shell, as RUN's shell form gives it) and exec form
 * argv; commands separated by {@code &&}, {@code ;} or newlines; {@code echo WORDS [>|>> PATH]},
 * {@code mkdir [-p] DIR…}, {@code rm [-rf] PATH…}, {@code cat PATH} (to stdout), {@code env} (to
 * stdout), {@code true}, {@code false}, {@code exit N}. {@code $NAME} and {@code ${NAME}} expand
 * from the spec's environment; relative paths resolve against its working directory, which is
 * created if missing, as the namespaces runner does. Anything else exits 127, as a shell does for
 * an unknown command.
 *
 * <p>Thread-safe: runs are independent and the record is synchronized.
 */
public class FakeCommandRunner implements CommandRunner {
  private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)}|(\\w+))");

  private final List<ContainerSpec> specs = Collections.synchronizedList(new ArrayList<>());

  /** The specs run so far, in order. */
  public List<ContainerSpec> specs() {
    synchronized (specs) {
      return List.copyOf(specs);
    }
  }

  @Override
  public ExitStatus run(ContainerSpec spec, OutputStream stdout, OutputStream stderr)
      throws RunnerException {
    specs.add(spec);
    try {
      return new Shell(spec, stdout, stderr, files(spec)).run();
    } catch (IOException e) {
      throw new RunnerException("Tried to run " + spec.args() + " in the fake runner but failed "
          + "because: " + e, e);
    }
  }

  @Override
  public ExitStatus run(ContainerSpec spec, OutputStream stdout, OutputStream stderr,
      Duration timeout) throws RunnerException {
    return run(spec, stdout, stderr);
  }

  @Override
  public ExitStatus runAttached(ContainerSpec spec, boolean interactive, boolean tty)
      throws RunnerException {
    return run(spec, System.out, System.err);
  }

  @Override
  public void close() {}

  /** Where a run's file operations go; container paths are absolute. */
  interface RunFiles {
    boolean exists(String path) throws IOException;

    void mkdirs(String path) throws IOException;

    /** Writes or appends a line of text. */
    void write(String path, String text, boolean append) throws IOException;

    void remove(String path) throws IOException;

    /** The host file with the content of a regular file at {@code path}, or null. */
    Path locate(String path) throws IOException;
  }

  /** The file operations of one run: here, through the overlay, as the kernel would. */
  RunFiles files(ContainerSpec spec) {
    return new OverlayFiles(spec);
  }

  /** One run: the interpreter state over one spec. */
  private static final class Shell {
    private final ContainerSpec spec;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final RunFiles files;
    private final Map<String, String> env = new java.util.LinkedHashMap<>();

    Shell(ContainerSpec spec, OutputStream stdout, OutputStream stderr, RunFiles files) {
      this.spec = spec;
      this.stdout = stdout;
      this.stderr = stderr;
      this.files = files;
      for (String e : spec.env()) {
        int eq = e.indexOf('=');
        env.put(e.substring(0, eq), e.substring(eq + 1));
      }
    }

    ExitStatus run() throws IOException {
      if (!files.exists(spec.workingDir())) {
        files.mkdirs(spec.workingDir());
      }
      List<String> args = spec.args();
      String script = args.size() == 3 && args.get(1).equals("-c") ? args.get(2)
          : String.join(" ", args);
      for (String command : script.split("&&|;|\n")) {
        int code = command(expand(command.trim()));
        if (code != 0) {
          return ExitStatus.exited(code);
        }
      }
      return ExitStatus.exited(0);
    }

    private int command(String command) throws IOException {
      if (command.isEmpty()) {
        return 0;
      }
      List<String> words = new ArrayList<>(List.of(command.split("\\s+")));
      String name = words.remove(0);
      switch (name) {
        case "true":
          return 0;
        case "false":
          return 1;
        case "exit":
          return words.isEmpty() ? 0 : Integer.parseInt(words.get(0));
        case "echo":
          return echo(words);
        case "mkdir":
          for (String dir : operands(words)) {
            files.mkdirs(absolute(dir));
          }
          return 0;
        case "rm":
          for (String path : operands(words)) {
            files.remove(absolute(path));
          }
          return 0;
        case "cat":
          for (String path : operands(words)) {
            Path file = files.locate(absolute(path));
            if (file == null) {
              stderr.write(("cat: can't open '" + path + "'\n").getBytes(StandardCharsets.UTF_8));
              return 1;
            }
            stdout.write(Files.readAllBytes(file));
          }
          return 0;
        case "env":
          for (String e : spec.env()) {
            stdout.write((e + "\n").getBytes(StandardCharsets.UTF_8));
          }
          return 0;
        default:
          stderr.write(("sh: " + name + ": not found\n").getBytes(StandardCharsets.UTF_8));
          return 127;
      }
    }

    private int echo(List<String> words) throws IOException {
      int redirect = words.indexOf(">");
      int append = words.indexOf(">>");
      int at = redirect >= 0 ? redirect : append;
      if (at < 0) {
        stdout.write((String.join(" ", words) + "\n").getBytes(StandardCharsets.UTF_8));
        return 0;
      }
      String text = String.join(" ", words.subList(0, at)) + "\n";
      files.write(absolute(words.get(at + 1)), text, append >= 0);
      return 0;
    }

    private String absolute(String path) {
      return LayeredRootfs.join(LayeredRootfs.split(path.startsWith("/") ? path
          : spec.workingDir() + "/" + path));
    }

    private String expand(String command) {
      Matcher m = VARIABLE.matcher(command);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String name = m.group(1) != null ? m.group(1) : m.group(2);
        m.appendReplacement(sb, Matcher.quoteReplacement(env.getOrDefault(name, "")));
      }
      return m.appendTail(sb).toString();
    }

    private static List<String> operands(List<String> words) {
      return words.stream().filter(w -> !w.startsWith("-")).toList();
    }
  }

  /** Writes into the spec's upperdir in overlay form: copy-up first, whiteouts for deletions. */
  private static final class OverlayFiles implements RunFiles {
    private final LayeredRootfs lower;
    private final UpperDirWriter upper;
    private final FileAttrs newDir;

    OverlayFiles(ContainerSpec spec) {
      this.lower = LayeredRootfs.ofSnapshots(spec.lowerDirs());
      this.upper = new UpperDirWriter(spec.upperDir(), lower);
      // New directories belong to whoever owns the upperdir: root as root, the user otherwise.
      this.newDir = FileAttrs.newDirectory((Integer) attr(spec.upperDir(), "unix:uid"),
          (Integer) attr(spec.upperDir(), "unix:gid"));
    }

    @Override
    public void mkdirs(String path) throws IOException {
      upper.mkdirs(path, newDir);
    }

    @Override
    public void write(String target, String text, boolean append) throws IOException {
      Path below = locate(target);
      Path host = upper.hostPath(target);
      if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        host = upper.prepareEntry(target, false, newDir);
        if (append && below != null) {
          // Copy-up of the file's content before the write, as overlayfs does.
          Files.copy(below, host);
        }
      }
      Files.writeString(host, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Deletes {@code path}: from the upperdir, plus a whiteout if a lower layer has it. */
    @Override
    public void remove(String path) throws IOException {
      boolean below = lower.locate(path).isPresent();
      Path host = below ? upper.prepareEntry(path, false, newDir) : upper.hostPath(path);
      if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        dev.jbuild.layerstore.fs.Trees.deleteRecursively(host);
      }
      if (!below) {
        return;
      }
      try {
        Posix.mkwhiteout(host); // a 0/0 character device, as the kernel makes it
      } catch (IOException notRoot) {
        // Without CAP_MKNOD, the whiteout of an overlay mounted with userxattr (rootless).
        Files.createFile(host);
        Posix.lsetxattr(host, "user.overlay.whiteout", new byte[0]);
      }
    }

    @Override
    public Path locate(String path) throws IOException {
      Path host = upper.hostPath(path);
      if (Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
        return host;
      }
      return lower.locate(path).orElse(null);
    }

    @Override
    public boolean exists(String path) throws IOException {
      return Files.exists(upper.hostPath(path), LinkOption.NOFOLLOW_LINKS)
          || lower.locate(path).isPresent();
    }

    private static Object attr(Path path, String name) {
      try {
        return Files.getAttribute(path, name, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
