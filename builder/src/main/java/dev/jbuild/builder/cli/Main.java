package dev.jbuild.builder.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    // The subcommands are added in execute(), only the invoked one when one is named (Commands).
    subcommands = {})
public final class Main implements Runnable {
  /**
   * The subcommands in the order {@code --help} lists them. Building a command's picocli model
   * reflects over its fields and annotations (a proxy class per annotation type, a converter per
   * option), so {@link #execute} adds only the command the line names, and all of them only for
   * help.
   */
  private static final class Commands {
    /** In a holder: {@code --version} loads none of the command classes. */
    static final Map<String, Class<?>> ALL = commands();
    /** Subcommands; anything else first on the line means "build". */
    static final Set<String> NAMES = ALL.keySet();
  }

  private static Map<String, Class<?>> commands() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("build", BuildCommand.class);
    m.put("run", RunCommand.class);
    m.put("ps", PsCommand.class);
    m.put("rm", RmCommand.class);
    m.put("commit", CommitCommand.class);
    m.put("push", PushCommand.class);
    m.put("pull", PullCommand.class);
    m.put("images", ImagesCommand.class);
    m.put("tag", TagCommand.class);
    m.put("save", SaveCommand.class);
    m.put("import", ImportCommand.class);
    m.put("rmi", RmiCommand.class);
    m.put("inspect", InspectCommand.class);
    m.put("history", HistoryCommand.class);
    m.put("load", LoadCommand.class);
    m.put("prune", PruneCommand.class);
    m.put("verify", VerifyCommand.class);
    m.put("login", LoginCommand.class);
    m.put("logout", LogoutCommand.class);
    m.put("parse", ParseCommand.class);
    m.put("help", CommandLine.HelpCommand.class);
    m.put("cds-training", TrainingCommand.class);
    return Collections.unmodifiableMap(m);
  }

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

  // Hidden: a pipe between programs (the Maven plugin's child JVM), not a flag for people.
  @Option(names = "--registry-auth-stdin", scope = ScopeType.INHERIT, hidden = true,
      description = "Read registry credentials from stdin as {\"auths\":{\"HOST\":"
          + "{\"username\":…,\"password\":…}}}; they win over config.json.")
  boolean registryAuthStdin;

  /** What {@code --registry-auth-stdin} read; read once, on first use. */
  private Map<String, dev.jbuild.registry.auth.Credential> stdinCredentials;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The registries named with {@code --insecure-registry}. */
  Set<String> insecureRegistries() {
    return Set.copyOf(insecureRegistries);
  }

  /**
   * The credentials given on stdin with {@code --registry-auth-stdin} (read on the first call,
   * in the process that runs the command: a rootless re-exec passes stdin on unread), else none.
   *
   * @throws java.io.IOException the input is not credentials ({@link RegistryAuthInput})
   */
  synchronized Map<String, dev.jbuild.registry.auth.Credential> stdinCredentials()
      throws java.io.IOException {
    if (stdinCredentials == null) {
      stdinCredentials = registryAuthStdin ? RegistryAuthInput.read(System.in) : Map.of();
    }
    return stdinCredentials;
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
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      // Answered before picocli (about 170 classes, older than class-data sharing can archive)
      // loads: the same line picocli prints, in a fraction of the start-up time.
      System.out.println(new Version().getVersion()[0]);
      System.exit(0);
    }
    configureLogging(java.util.Arrays.asList(args).contains("--debug"));
    if (Warmup.helps(commandsToModel(withImplicitBuild(args)))) {
      Warmup.start(); // JSON and the parser, on the other core while picocli reads the line
    }
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
    String[] full = withImplicitBuild(args);
    // Before the setters below: they apply to the subcommands registered when they are called.
    for (String name : commandsToModel(full)) {
      cli.addSubcommand(name, Commands.ALL.get(name));
    }
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new ErrorHandler(main));
    cli.setParameterExceptionHandler(new UsageErrorHandler());
    if (cli.getSubcommands().containsKey("run")) {
      // Everything after the image is the container's command line, options included.
      cli.getSubcommands().get("run").setStopAtPositional(true);
    }
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

  /**
   * The subcommands whose models {@code args} (after {@link #withImplicitBuild}) needs: the one
   * it names, none for {@code --version}, all for help, no command or a line that ends early.
   * Adding fewer changes nothing for the one invoked: it is the only one the line can reach.
   */
  static Set<String> commandsToModel(String[] args) {
    int i = globalOptionsEnd(args);
    if (i < args.length) {
      String first = args[i];
      if (first.equals("-V") || first.equals("--version")) {
        return Set.of();
      }
      if (Commands.NAMES.contains(first) && !first.equals("help")) {
        return Set.of(first);
      }
    }
    return Commands.NAMES;
  }

  /** The index of the first word after the global options. */
  private static int globalOptionsEnd(String[] args) {
    int i = 0;
    while (i < args.length) {
      String a = args[i];
      if (a.equals("--root") || a.equals("--insecure-registry")) {
        i += 2;
      } else if (a.startsWith("--root=") || a.startsWith("--insecure-registry=")
          || a.equals("--debug") || a.equals("--registry-auth-stdin")) {
        i++;
      } else {
        break;
      }
    }
    return i;
  }

  /** Inserts {@code build} when the first word after the global options is not a subcommand. */
  static String[] withImplicitBuild(String[] args) {
    int i = globalOptionsEnd(args);
    if (i >= args.length) {
      return args;
    }
    String first = args[i];
    if (Commands.NAMES.contains(first) || first.equals("-h") || first.equals("--help")
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
      // String.join, not +: the first string concatenation bootstraps about 80 invoke classes.
      return new String[] {String.join("", "jbuild ", version, ", commit ",
          p.getProperty("commit", "unknown"))};
    }
  }
}
