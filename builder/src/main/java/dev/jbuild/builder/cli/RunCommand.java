package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.snapshot.Scratch;
import dev.jbuild.layerstore.snapshot.Snapshot;
import dev.jbuild.runner.ContainerSpec;
import dev.jbuild.runner.ExitStatus;
import dev.jbuild.runner.NetworkMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild run}: runs an image's command in a container over the image's layers, with the
 * terminal attached, and exits with the command's exit code.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a command in a new container from an image.")
final class RunCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = "--rm", description = "Remove the container's filesystem when it exits "
      + "(containers are not kept yet: always the case).")
  boolean remove;

  @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE",
      description = "Set an environment variable (repeatable).")
  List<String> env = new ArrayList<>();

  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory.")
  String workdir;

  @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
      description = "User name or uid, resolved in the image's /etc/passwd.")
  String user;

  @Option(names = "--network", paramLabel = "MODE", defaultValue = "none",
      description = "none (only lo) or host.")
  String network;

  @Option(names = "--hostname", paramLabel = "NAME", description = "Container host name.")
  String hostname;

  @Option(names = "--entrypoint", paramLabel = "CMD", description = "Override the entrypoint.")
  String entrypoint;

  @Parameters(index = "0", paramLabel = "IMAGE") String imageName;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    NetworkMode mode = switch (network) {
      case "none" -> NetworkMode.NONE;
      case "host" -> NetworkMode.HOST;
      default -> throw new IllegalArgumentException("invalid --network '" + network
          + "': expected none or host");
    };
    Session session = Session.open(main);
    Image image = session.image(imageName);
    ContainerConfig config = image.config().containerConfig();
    List<String> argv = argv(config);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("no command specified: the image has no CMD or "
          + "ENTRYPOINT; give one after the image name");
    }
    Map<String, String> environment = new LinkedHashMap<>(config.envMap());
    for (String e : env) {
      int eq = e.indexOf('=');
      if (eq < 0) {
        String v = System.getenv(e);
        if (v != null) {
          environment.put(e, v);
        }
      } else {
        environment.put(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    List<String> envList = new ArrayList<>();
    environment.forEach((k, v) -> envList.add(k + "=" + v));
    String wd = workdir != null ? workdir
        : config.workingDir() == null || config.workingDir().isEmpty() ? "/" : config.workingDir();
    Snapshot snapshot = session.store.snapshots().prepare(image.layers());
    try (Scratch scratch = session.store.snapshots().newScratch()) {
      ContainerSpec.Builder spec = ContainerSpec.builder()
          .lowerDirs(snapshot.absoluteLowerDirsTopFirst())
          .layersRoot(snapshot.layersRoot())
          .upperDir(scratch.upperDir())
          .workDir(scratch.workDir())
          .args(argv)
          .env(envList)
          .workingDir(wd)
          .user(user != null ? user : config.user() == null ? "" : config.user())
          .network(mode);
      if (hostname != null) {
        spec.hostname(hostname);
      } else {
        spec.hostname(image.id().shortHex());
      }
      ExitStatus status = session.runner().runAttached(spec.build());
      return status.signal() != 0 ? 128 + status.signal() : status.exitCode();
    }
  }

  private List<String> argv(ContainerConfig config) {
    List<String> argv = new ArrayList<>();
    if (entrypoint != null) {
      if (!entrypoint.isEmpty()) {
        argv.add(entrypoint);
      }
    } else if (config.entrypoint() != null) {
      argv.addAll(config.entrypoint());
    }
    if (!command.isEmpty()) {
      argv.addAll(command);
    } else if (entrypoint == null && config.cmd() != null) {
      argv.addAll(config.cmd());
    }
    return argv;
  }
}
