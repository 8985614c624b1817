package dev.jbuild.builder.cli;

import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.ImageBuilder;
import dev.jbuild.builder.StdinSources;
import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.builder.remotecache.RemoteCacheStore;
import dev.jbuild.builder.error.StepFailedException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.event.TtyProgress;
import dev.jbuild.builder.exec.BuildOptions;
import dev.jbuild.builder.plan.NetworkPolicy;
import dev.jbuild.builder.export.ImageExporter;
import dev.jbuild.builder.export.OutputSpec;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.ProgressListener;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  @Mixin OutputFlags output;

  @Mixin CacheFlags cache;

  @Mixin ProgressFlags progress;

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

  @Option(names = "--cgroup-parent", paramLabel = "PATH",
      description = "Parent cgroup of every RUN step's cgroup (relative to each hierarchy's"
          + " root; made where missing), whose limits then apply too.")
  String cgroupParent;

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
    progress.check();
    BuildOutputs parsedOutputs = output.parse();
    List<OutputSpec> outputSpecs = parsedOutputs.files();
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
        .network(net).pull(pull)
        .limits(new BuildOptions.Limits(memory == null ? 0 : Sizes.parseBytes(memory), cpuQuota,
            pidsLimit, cgroupParent))
        .sourceDateEpoch(sourceDateEpoch())
        // Only pushed: imported layers no step needs may stay in the registry (mounted on push).
        .lazyLayers(output.push && outputSpecs.isEmpty() && platforms.size() <= 1);
    flags.apply(request);
    cache.apply(request);
    for (String spec : secrets) {
      Map.Entry<String, BuildOptions.Secret> secret = parseSecret(spec);
      request.secret(secret.getKey(), secret.getValue());
    }
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    BuildListener listener = progress.listener(output.quiet, err);
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
    if (output.push) {
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
    if (output.metadataFile != null) {
      BuildMetadata.write(output.metadataFile, result, pushedTags);
    }
    String id = result.image().id().toString();
    if (output.iidFile != null) {
      Files.writeString(output.iidFile, id);
    }
    List<String> names = new ArrayList<>();
    pushedTags.forEach(t -> names.add(t.toString()));
    listener.finished(id, result.image().manifestDigest().toString(), names);
    if (output.quiet) {
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
    if (cgroupParent != null) {
      throw new IllegalArgumentException("--cgroup-parent needs cgroups, which rootless mode"
          + " (jbuild as a non-root user) cannot write: run jbuild as root, or build without it");
    }
    if (network.equals("bridge")) {
      throw new IllegalArgumentException("--network bridge needs the host bridge, which rootless "
          + "mode (jbuild as a non-root user) cannot create (slirp4netns is not supported yet): "
          + "use --network default (the host network), none or host, or run jbuild as root");
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
    // Negative values are times before 1970, as for BuildKit (strconv.ParseInt).
    if (!epoch.strip().matches("-?\\d{1,18}")) {
      throw new IllegalArgumentException("invalid SOURCE_DATE_EPOCH '" + epoch
          + "': expected seconds since 1970 (negative before)");
    }
    return Long.parseLong(epoch.strip());
  }
}
