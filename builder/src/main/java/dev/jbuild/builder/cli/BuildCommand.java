package dev.jbuild.builder.cli;

import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.ImageBuilder;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.event.PlainProgress;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
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
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jbuild build}: the {@code docker build} flags jbuild supports so far. */
@Command(name = "build", mixinStandardHelpOptions = true,
    description = "Build an image from a Dockerfile.")
final class BuildCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "PATH", description = "Build context directory.")
  Path context;

  @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]",
      description = "Name and optionally a tag for the image (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(names = {"-f", "--file"}, paramLabel = "FILE",
      description = "Dockerfile (default: PATH/Dockerfile).")
  Path file;

  @Option(names = "--build-arg", paramLabel = "KEY[=VALUE]",
      description = "Build-time variable; KEY alone takes the value from the environment.")
  List<String> buildArgs = new ArrayList<>();

  @Option(names = "--target", paramLabel = "STAGE", description = "Stage to build.")
  String target;

  @Option(names = "--platform", paramLabel = "OS/ARCH",
      description = "Target platform (default: this machine's).")
  String platform;

  @Option(names = "--network", paramLabel = "MODE", defaultValue = "default",
      description = "Network for RUN steps: default, none or host (default: none).")
  String network;

  @Option(names = "--progress", paramLabel = "TYPE", defaultValue = "auto",
      description = "auto, tty or plain (tty renders as plain for now).")
  String progress;

  @Option(names = {"-q", "--quiet"},
      description = "Print only the image ID on success.")
  boolean quiet;

  @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image ID to FILE.")
  Path iidFile;

  @Option(names = "--no-cache",
      description = "Do not use the build cache (jbuild has no step cache yet: always true).")
  boolean noCache;

  @Override
  public Integer call() throws Exception {
    if (!List.of("auto", "tty", "plain").contains(progress)) {
      throw new IllegalArgumentException("invalid --progress '" + progress
          + "': expected auto, tty or plain");
    }
    BuildRequest.NetworkPolicy net = switch (network) {
      case "default", "none" -> BuildRequest.NetworkPolicy.NONE;
      case "host" -> BuildRequest.NetworkPolicy.HOST;
      default -> throw new IllegalArgumentException("invalid --network '" + network
          + "': expected default, none or host");
    };
    List<ImageReference> refs = new ArrayList<>();
    for (String t : tags) {
      refs.add(ImageReference.parse(t));
    }
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
    BuildRequest request = new BuildRequest(context, file, refs, args, target,
        platform == null ? null : Platform.parse(platform), net);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    BuildListener listener = quiet ? BuildListener.NONE : new PlainProgress(err);
    Session session = Session.open(main);
    ImageBuilder builder = new ImageBuilder(session.store, session.runner(),
        session.baseImages(listener::info), clock());
    BuildResult result = builder.build(request, listener);
    String id = result.image().id().toString();
    if (iidFile != null) {
      Files.writeString(iidFile, id);
    }
    if (quiet) {
      System.out.println(id);
    }
    return 0;
  }

  /** {@code SOURCE_DATE_EPOCH} fixes every timestamp in the image metadata, as in BuildKit. */
  static Supplier<Instant> clock() {
    String epoch = System.getenv("SOURCE_DATE_EPOCH");
    if (epoch != null && epoch.matches("\\d+")) {
      Instant fixed = Instant.ofEpochSecond(Long.parseLong(epoch));
      return () -> fixed;
    }
    return Instant::now;
  }
}
