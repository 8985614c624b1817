package dev.jbuild.builder.cli;

import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.ImageBuilder;
import dev.jbuild.builder.exec.RunnerSource;
import dev.jbuild.runner.CommandRunner;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.builder.cache.CacheSpec;
import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.builder.remotecache.RemoteCacheStore;
import dev.jbuild.builder.error.StepFailedException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.event.JsonProgress;
import dev.jbuild.builder.event.PlainProgress;
import dev.jbuild.builder.event.TtyProgress;
import dev.jbuild.builder.exec.BuildOptions;
import dev.jbuild.builder.plan.NetworkPolicy;
import dev.jbuild.builder.export.ImageExporter;
import dev.jbuild.builder.export.OutputSpec;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.runner.ContainerRunner;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jbuild build}: the {@code docker build} flags jbuild supports so far. */
@Command(name = "build", mixinStandardHelpOptions = true,
    description = "Build an image from a Dockerfile.")
final class BuildCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "PATH|-",
      description = "Build context directory; - reads a tar (plain or compressed) from stdin, or"
          + " a Dockerfile and no context.")
  Path context;

  @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]",
      description = "Name and optionally a tag for the image (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(names = {"-f", "--file"}, paramLabel = "FILE",
      description = "Name of the Dockerfile (default: PATH/Dockerfile); - reads it from stdin.")
  Path file;

  @Mixin BuildFlags flags;

  @Option(names = "--build-arg", paramLabel = "KEY[=VALUE]",
      description = "Build-time variable; KEY alone takes the value from the environment.")
  List<String> buildArgs = new ArrayList<>();

  @Option(names = "--target", paramLabel = "STAGE", description = "Stage to build.")
  String target;

  @Option(names = "--platform", paramLabel = "OS/ARCH[,OS/ARCH...]",
      description = "Target platform(s) (default: this machine's); several build one image"
          + " index. Foreign RUN steps need QEMU (Debian's qemu-user-static).")
  String platform;

  @Option(names = "--network", paramLabel = "MODE", defaultValue = "default",
      description = "Network for RUN steps: default (a bridge with NAT, as docker build), none "
          + "or host.")
  String network;

  @Option(names = "--progress", paramLabel = "TYPE", defaultValue = "auto",
      description = "auto (tty on a terminal, else plain), tty, plain, rawjson or quiet"
          + " (nothing but errors).")
  String progress;

  @Option(names = {"-o", "--output"}, paramLabel = "type=TYPE,dest=PATH",
      description = "Also write the image: type=docker|oci (archives), local (root filesystem "
          + "directory) or tar (root filesystem tar); dest=- is standard output (repeatable)."
          + " type=registry (--push) or image[,push=true] with [name=REF]; oci-mediatypes=false"
          + " makes a multi-platform image a Docker manifest list.")
  List<String> outputs = new ArrayList<>();

  /** The outputs' oci-mediatypes, null when unset ({@link BuildOutputs}). */
  Boolean ociMediaTypes;

  @Option(names = "--push", description = "Push every tag after the build.")
  boolean push;

  @Option(names = {"-q", "--quiet"},
      description = "Print only the image ID on success.")
  boolean quiet;

  @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image ID to FILE.")
  Path iidFile;

  @Option(names = "--metadata-file", paramLabel = "FILE",
      description = "Write what was built to FILE as JSON, with buildx's keys"
          + " (containerimage.digest, containerimage.config.digest, image.name).")
  Path metadataFile;

  @Option(names = "--no-cache", description = "Do not use the build cache.")
  boolean noCache;

  @Option(names = "--no-cache-filter", paramLabel = "STAGE", split = ",",
      description = "Do not use the build cache for these stages.")
  List<String> noCacheFilter = new ArrayList<>();

  @Option(names = "--cache-from", paramLabel = "type=registry,ref=REF|type=local,src=DIR|REF",
      description = "Import a build cache (repeatable, tried in order after the local one); an"
          + " image pushed with --cache-to type=inline is one too. Only manifests and configs are"
          + " read; a layer is fetched when a step needs it. A cache that cannot be read is a"
          + " warning.")
  List<String> cacheFrom = new ArrayList<>();

  @Option(names = "--cache-to", paramLabel = "type=registry,ref=REF[,mode=min|max]|type=local,"
      + "dest=DIR|type=inline",
      description = "Export the build cache (repeatable): mode=min (default) the final image's"
          + " steps, mode=max every step of every stage.")
  List<String> cacheTo = new ArrayList<>();

  @Option(names = "--pull", description = "Always pull base images, even when they are stored.")
  boolean pull;

  @Option(names = "--secret", paramLabel = "id=ID,src=PATH|env=VAR",
      description = "A secret for RUN --mount=type=secret (repeatable); never stored anywhere.")
  List<String> secrets = new ArrayList<>();

  @Option(names = {"-m", "--memory"}, paramLabel = "BYTES",
      description = "Memory limit of every RUN step (for example 512m, 2g).")
  String memory;

  @Option(names = "--cpu-quota", paramLabel = "MICROS",
      description = "CPU time per 100 ms of every RUN step, in microseconds (50000 = half a CPU).")
  long cpuQuota;

  @Option(names = "--pids-limit", paramLabel = "N",
      description = "Maximum number of processes in every RUN step.")
  long pidsLimit;

  @Override
  public Integer call() throws Exception {
    if (!StdinSources.wanted(context, file)) {
      return build();
    }
    if (main.registryAuthStdin) {
      throw new IllegalArgumentException("--registry-auth-stdin and a context or Dockerfile "
          + "from stdin (-) cannot share stdin: give the context as a directory");
    }
    try (StdinSources in = StdinSources.read(context, file, Session.open(main).store, System.in)) {
      context = in.context();
      file = in.dockerfile();
      return build();
    }
  }

  private Integer build() throws Exception {
    if (!List.of("auto", "tty", "plain", "rawjson", "quiet").contains(progress)) {
      throw new IllegalArgumentException("invalid --progress '" + progress
          + "': expected auto, tty, plain, rawjson or quiet");
    }
    BuildOutputs parsedOutputs = BuildOutputs.parse(outputs);
    List<OutputSpec> outputSpecs = parsedOutputs.files();
    push |= parsedOutputs.push();
    ociMediaTypes = parsedOutputs.ociMediaTypes();
    if (Isolation.rootless()) {
      checkRootless();
    }
    NetworkPolicy net = switch (network) {
      // Rootless mode has no bridge: its default is the host network (as BuildKit's rootless
      // mode, whose host is RootlessKit's), said once by Isolation.announce.
      // In place, a step shares the container's network whatever it asks; "host" says so.
      case "default" -> Isolation.rootless() || Isolation.inPlace() ? NetworkPolicy.HOST
          : NetworkPolicy.BRIDGE;
      case "bridge" -> NetworkPolicy.BRIDGE;
      case "none" -> NetworkPolicy.NONE;
      case "host" -> NetworkPolicy.HOST;
      default -> throw new IllegalArgumentException("invalid --network '" + network
          + "': expected default, none or host");
    };
    List<ImageReference> refs = new ArrayList<>();
    for (String t : tags) {
      refs.add(ImageReference.parse(t));
    }
    parsedOutputs.names().stream().filter(n -> !refs.contains(n)).forEach(refs::add);
    Map<String, String> args = new LinkedHashMap<>();
    for (String a : buildArgs) {
      int eq = a.indexOf('=');
      if (eq < 0) {
        String env = System.getenv(a);
        if (env != null) {
          args.put(a, env);
        }
      } else {
        args.put(a.substring(0, eq), a.substring(eq + 1));
      }
    }
    if (!Files.isDirectory(context)) {
      throw new IllegalArgumentException("unable to prepare context: path \"" + context
          + "\" not found");
    }
    List<Platform> platforms = platform == null ? List.of() : TargetPlatform.parse(platform);
    BuildRequest.Builder request = BuildRequest.builder(context).dockerfile(file).tags(refs)
        .buildArgs(args).target(target).platform(platforms.size() == 1 ? platforms.get(0) : null)
        .network(net).noCache(noCache).noCacheStages(Set.copyOf(noCacheFilter)).pull(pull)
        .limits(new BuildOptions.Limits(memory == null ? 0 : Sizes.parseBytes(memory), cpuQuota,
            pidsLimit))
        .sourceDateEpoch(sourceDateEpoch())
        // Only pushed: imported layers no step needs may stay in the registry (mounted on push).
        .lazyLayers(push && outputSpecs.isEmpty() && platforms.size() <= 1);
    flags.apply(request);
    for (String spec : cacheFrom) {
      request.cacheFrom(CacheSpec.parse(spec, false));
    }
    for (String spec : cacheTo) {
      request.cacheTo(CacheSpec.parse(spec, true));
    }
    for (String spec : secrets) {
      Map.Entry<String, BuildOptions.Secret> secret = parseSecret(spec);
      request.secret(secret.getKey(), secret.getValue());
    }
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    BuildListener listener = listener(err);
    Session session = Session.open(main);
    // Holds off a concurrent `jbuild prune` until this command is done with its blobs.
    // Ctrl-C interrupts this thread and removes the steps' scratch dirs (Cancellation).
    try (var cancel = Cancellation.install("build", err); var lease = session.lease()) {
      return platforms.size() > 1
          ? MultiPlatformBuild.run(this, request, listener, session, outputSpecs, platforms)
          : build(request, listener, session, outputSpecs);
    } catch (Exception e) {
      listener.failed(e.getMessage(), e instanceof StepFailedException s ? s.exitCode() : null);
      throw e;
    }
  }

  private int build(BuildRequest.Builder request, BuildListener listener, Session session,
      List<OutputSpec> outputSpecs) throws Exception {
    BuildResult result;
    try (LazyRunner runner = new LazyRunner(session)) {
      ImageBuilder builder = new ImageBuilder(session.store, runner,
          session.baseImages(listener::info), Instant::now,
          new RemoteCacheStore(session.store, session.registryOptions()));
      result = builder.build(request.build(), listener);
    } finally {
      if (listener instanceof TtyProgress tty) {
        tty.close();
      }
    }
    for (OutputSpec spec : outputSpecs) {
      new ImageExporter(session.store, System.out).export(result.image(), result.tags(), spec);
      listener.info("exported " + spec.type().name().toLowerCase() + " to " + spec.dest());
    }
    List<ImageReference> pushedTags = new ArrayList<>();
    if (push) {
      for (ImageReference tag : result.tags()) {
        listener.info("pushing " + tag);
        ImageTransfer transfer = new ImageTransfer(session.store, session.registryOptions(),
            ProgressListener.NONE);
        var pushed = result.stored() ? transfer.push(tag) : transfer.push(tag, result.image());
        listener.info("pushed " + tag.familiar() + ": digest: " + pushed.digest() + " size: "
            + pushed.size());
        pushedTags.add(tag);
      }
    }
    if (metadataFile != null) {
      BuildMetadata.write(metadataFile, result, pushedTags);
    }
    String id = result.image().id().toString();
    if (iidFile != null) {
      Files.writeString(iidFile, id);
    }
    List<String> names = new ArrayList<>();
    pushedTags.forEach(t -> names.add(t.toString()));
    listener.finished(id, result.image().manifestDigest().toString(), names);
    if (quiet) {
      System.out.println(id);
    }
    return 0;
  }
  /** Rootless mode cannot honour limits or the bridge: asking for them is an error (issue #12). */
  private void checkRootless() {
    if (memory != null || cpuQuota != 0 || pidsLimit != 0) {
      throw new IllegalArgumentException("--memory, --cpu-quota and --pids-limit need cgroups, "
          + "which rootless mode (jbuild as a non-root user) cannot write: run jbuild as root, "
          + "or build without them");
    }
    if (network.equals("bridge")) {
      throw new IllegalArgumentException("--network bridge needs the host bridge, which rootless "
          + "mode (jbuild as a non-root user) cannot create (slirp4netns is not supported yet): "
          + "use --network default (the host network), none or host, or run jbuild as root");
    }
  }

  /** Creates the runner on the first RUN step and closes it (its network pool) at the end. */
  static final class LazyRunner implements RunnerSource, AutoCloseable {
    private final Session session;
    private CommandRunner runner;

    LazyRunner(Session session) {
      this.session = session;
    }

    @Override
    public synchronized CommandRunner get() throws RunnerException {
      if (runner == null) {
        runner = session.runner();
      }
      return runner;
    }

    @Override
    public synchronized void close() {
      if (runner != null) {
        runner.close();
      }
    }
  }

  /** Parses {@code id=ID,src=PATH} / {@code id=ID,env=VAR} (docker build's --secret). */
  static Map.Entry<String, BuildOptions.Secret> parseSecret(String spec) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("invalid --secret '" + spec
            + "': expected id=ID,src=PATH or id=ID,env=VAR");
      }
      kv.put(part.substring(0, eq), part.substring(eq + 1));
    }
    String id = kv.get("id");
    String src = kv.containsKey("src") ? kv.get("src") : kv.get("source");
    String envVar = kv.get("env");
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("invalid --secret '" + spec + "': id= is required");
    }
    if (src == null && envVar == null) {
      // docker build: a bare id reads the environment variable of the same name.
      envVar = id;
    }
    if (src != null) {
      Path p = Path.of(src);
      if (!Files.isReadable(p)) {
        throw new IllegalArgumentException("secret " + id + ": cannot read " + src);
      }
      return Map.entry(id, new BuildOptions.Secret(p, null));
    }
    return Map.entry(id, new BuildOptions.Secret(null, envVar));
  }

  /** {@code SOURCE_DATE_EPOCH} from the environment, as BuildKit reads it; null when unset. */
  static Long sourceDateEpoch() {
    String epoch = System.getenv("SOURCE_DATE_EPOCH");
    if (epoch == null || epoch.isBlank()) {
      return null;
    }
    if (!epoch.strip().matches("\\d{1,18}")) {
      throw new IllegalArgumentException("invalid SOURCE_DATE_EPOCH '" + epoch
          + "': expected seconds since 1970");
    }
    return Long.parseLong(epoch.strip());
  }

  private BuildListener listener(PrintStream err) {
    if (quiet || progress.equals("quiet")) {
      return BuildListener.NONE;
    }
    boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    switch (progress) {
      case "rawjson":
        return new JsonProgress(err);
      case "tty":
        return resizable(new TtyProgress(err, columns()));
      case "auto":
        return terminal ? resizable(new TtyProgress(err, columns())) : new PlainProgress(err);
      default:
        return new PlainProgress(err);
    }
  }

  /**
   * The terminal's width: the size of the terminal on stderr (where progress goes) or stdout
   * ({@code TIOCGWINSZ}; an interactive bash does not export {@code $COLUMNS}), else {@code
   * $COLUMNS}, else 80 as BuildKit assumes.
   */
  static int columns() {
    for (int fd : new int[] {2, 1}) {
      int cols = dev.jbuild.layerstore.posix.Posix.terminalColumns(fd);
      if (cols > 0) {
        return cols;
      }
    }
    String c = System.getenv("COLUMNS");
    return c != null && c.matches("\\d{2,4}") ? Integer.parseInt(c) : 80;
  }

  /** Follows the terminal's size: SIGWINCH, which the JVM leaves alone, re-reads it. */
  @SuppressWarnings("sunapi")
  private static TtyProgress resizable(TtyProgress tty) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), sig -> tty.setWidth(columns()));
    } catch (IllegalArgumentException e) {
      // No SIGWINCH here: the width stays what it was at the start.
    }
    return tty;
  }
}
