package dev.jbuild.builder.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code jbuild} root command. {@code jbuild -t x .} means {@code jbuild build -t x .}. */
@Command(
    name = "jbuild",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Daemonless Dockerfile image builder and layer store.",
      "",
      "  jbuild -t helloworld .          build ./Dockerfile (same as 'jbuild build')",
      "  jbuild run --rm helloworld      run the image's command in a container",
      "  jbuild push localhost:5000/a:v1 push to a registry",
    },
    subcommands = {
      BuildCommand.class,
      RunCommand.class,
      PsCommand.class, RmCommand.class, CommitCommand.class,
      PushCommand.class,
      PullCommand.class,
      ImagesCommand.class,
      TagCommand.class,
      SaveCommand.class,
      ImportCommand.class,
      RmiCommand.class, InspectCommand.class, HistoryCommand.class, LoadCommand.class, PruneCommand.class, VerifyCommand.class,
      LoginCommand.class,
      LogoutCommand.class,
      ParseCommand.class,
      CommandLine.HelpCommand.class,
      TrainingCommand.class
    })
public final class Main implements Runnable {
  /** Subcommands and their aliases; anything else first on the line means "build". */
  private static final Set<String> SUBCOMMANDS =
      Set.of("build", "run", "ps", "rm", "commit", "push", "pull", "login", "logout", "images",
          "tag", "rmi", "inspect", "history", "save", "load", "import", "prune", "verify",
          "parse", "help", "cds-training");

  @Option(names = "--root", scope = ScopeType.INHERIT, paramLabel = "DIR",
      description = "Store directory (default: $JBUILD_ROOT, else /var/lib/jbuild as root, "
          + "else ~/.local/share/jbuild).")
  Path root;

  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  boolean debug;

  @Option(names = "--insecure-registry", scope = ScopeType.INHERIT, paramLabel = "HOST[:PORT]",
      description = "Registry to reach over plain HTTP (or HTTPS without certificate checks);"
          + " repeatable. Loopback registries always are.")
  List<String> insecureRegistries = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The registries named with {@code --insecure-registry}. */
  Set<String> insecureRegistries() {
    return Set.copyOf(insecureRegistries);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The store root from {@code --root}, {@code $JBUILD_ROOT} or the per-user default. */
  Path storeRoot() {
    if (root != null) {
      return root;
    }
    String env = System.getenv("JBUILD_ROOT");
    if (env != null && !env.isEmpty()) {
      return Path.of(env);
    }
    if ("root".equals(System.getProperty("user.name"))) {
      return Path.of("/var/lib/jbuild");
    }
    return Path.of(System.getProperty("user.home"), ".local", "share", "jbuild");
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    configureLogging(java.util.Arrays.asList(args).contains("--debug"));
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Library messages (registry retries, registry warnings) go to stderr as one line each; with
   * {@code --debug} everything down to debug level. Must run before the first logger is made.
   */
  static void configureLogging(boolean debug) {
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "info");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", String.valueOf(debug));
    setIfAbsent("org.slf4j.simpleLogger.showLogName", String.valueOf(debug));
    setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "false");
    setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** Runs the command line with the given streams and returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    Main main = new Main();
    CommandLine cli = new CommandLine(main);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new ErrorHandler(main));
    cli.setParameterExceptionHandler(new UsageErrorHandler());
    // Everything after the image is the container's command line, options included.
    cli.getSubcommands().get("run").setStopAtPositional(true);
    String[] full = withImplicitBuild(args);
    // A non-root user's commands run again inside a user namespace (rootless mode, Isolation).
    cli.setExecutionStrategy(parsed -> {
      try {
        Integer code = Isolation.reexecIfNeeded(main, parsed, full, System.err);
        return code != null ? code : new CommandLine.RunLast().execute(parsed);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 130;
      }
    });
    return cli.execute(full);
  }

  /** Inserts {@code build} when the first word after the global options is not a subcommand. */
  static String[] withImplicitBuild(String[] args) {
    int i = 0;
    while (i < args.length) {
      String a = args[i];
      if (a.equals("--root") || a.equals("--insecure-registry")) {
        i += 2;
      } else if (a.startsWith("--root=") || a.startsWith("--insecure-registry=")
          || a.equals("--debug")) {
        i++;
      } else {
        break;
      }
    }
    if (i >= args.length) {
      return args;
    }
    String first = args[i];
    if (SUBCOMMANDS.contains(first) || first.equals("-h") || first.equals("--help")
        || first.equals("-V") || first.equals("--version")) {
      return args;
    }
    List<String> out = new ArrayList<>(Arrays.asList(args));
    out.add(i, "build");
    return out.toArray(new String[0]);
  }

  /**
   * The version and git commit written into {@code version.properties} at build time (see the
   * builder pom); {@code jbuild 0.1.0, commit 1a2b3c4d5e6f} ({@code -dirty} when the checkout
   * had uncommitted changes).
   */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      java.util.Properties p = new java.util.Properties();
      try (var in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (java.io.IOException e) {
        // A jar without the file was not built by Maven; say so instead of failing --version.
      }
      String version = p.getProperty("version", "unknown version (not built by Maven)");
      return new String[] {"jbuild " + version + ", commit " + p.getProperty("commit", "unknown")};
    }
  }
}
