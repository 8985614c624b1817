package dev.jbuild.builder.cli;

import dev.jbuild.builder.container.ContainerLaunch;
import dev.jbuild.builder.container.ContainerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.snapshot.Scratch;
import dev.jbuild.layerstore.snapshot.Snapshot;
import dev.jbuild.runner.BindMount;
import dev.jbuild.runner.CommandRunner;
import dev.jbuild.runner.ContainerSpec;
import dev.jbuild.runner.ExitStatus;
import dev.jbuild.runner.NetworkMode;
import dev.jbuild.runner.ResourceLimits;
import dev.jbuild.runner.RunnerException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild run}: runs a command in a new container over an image's layers, attached to the
 * terminal, and exits with the command's exit code ({@code docker run}). Without {@code --rm} the
 * container's read-write layer is kept ({@code jbuild ps -a}, {@code rm}, {@code commit}).
 *
 * <p>Exit codes as docker's: the command's own, 125 if the container could not be started, 126
 * if the command cannot be executed, 127 if it was not found.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a command in a new container from an image.")
final class RunCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Option(names = "--rm", description = "Remove the container's read-write layer when it exits.")
  boolean remove;

  @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE",
      description = "Set an environment variable; KEY alone copies it from this environment.")
  List<String> env = new ArrayList<>();

  @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CONTAINER[:ro]",
      description = "Bind-mount a host directory or file (created as a directory if missing).")
  List<String> volumes = new ArrayList<>();

  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory.")
  String workdir;

  @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
      description = "User name or uid, resolved in the image's /etc/passwd.")
  String user;

  @Option(names = "--network", paramLabel = "MODE",
      description = "bridge (default: private network with NAT), none (only lo) or host; "
          + "rootless mode has no bridge and defaults to host.")
  String network;

  @Option(names = {"-m", "--memory"}, paramLabel = "BYTES",
      description = "Memory limit, e.g. 64m or 1g (no swap beyond it).")
  String memory;

  @Option(names = "--cpus", paramLabel = "N", description = "CPU quota in CPUs, e.g. 0.5.")
  String cpus;

  @Option(names = "--pids-limit", paramLabel = "N", description = "Maximum number of processes.")
  long pidsLimit;

  @Option(names = "--hostname", paramLabel = "NAME", description = "Container host name.")
  String hostname;

  @Option(names = "--entrypoint", paramLabel = "CMD", description = "Override the entrypoint.")
  String entrypoint;

  @Option(names = {"-i", "--interactive"}, description = "Keep stdin attached.")
  boolean interactive;

  @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-terminal.")
  boolean tty;

  @Parameters(index = "0", paramLabel = "IMAGE") String imageName;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (Isolation.inPlace()) {
      // Running an image would replace this container's own files with it, outside a build.
      throw new RunnerException("Tried to run a container but failed because: in-place mode "
          + "(no namespaces or mounts here) only builds images; run them where containers can "
          + "start (docker run, or jbuild as root or rootless on a host)");
    }
    NetworkMode mode = ContainerLaunch.network(
        network != null ? network : Isolation.rootless() ? "host" : "bridge");
    ResourceLimits limits = new ResourceLimits(
        memory == null ? 0 : ContainerLaunch.parseBytes(memory),
        cpus == null ? 0 : ContainerLaunch.cpuQuota(cpus), 0, pidsLimit);
    List<BindMount> mounts = new ArrayList<>();
    for (String v : volumes) {
      mounts.add(ContainerLaunch.volume(v));
    }
    ContainerLaunch.Options options = new ContainerLaunch.Options(command, entrypoint, env,
        workdir, user, hostname, mode, limits, mounts, tty);
    Session session = Session.open(main);
    // Holds off a concurrent `jbuild prune` until this command is done with its blobs.
    try (var lease = session.lease()) {
      Image image = session.image(imageName);
      ContainerLaunch launch = ContainerLaunch.of(image.config().containerConfig(),
          image.id().shortHex(), options);
      Snapshot snapshot = session.store.snapshots().prepare(image.layers());
      if (remove) {
        try (Scratch scratch = session.store.snapshots().newScratch()) {
          return run(session, launch.spec(snapshot, scratch.upperDir(), scratch.workDir()));
        }
      }
      ContainerStore containers = new ContainerStore(session.root);
      ContainerStore.Record record = containers.create(imageName, image.manifestDigest().toString(),
          image.id().toString(), launch.entrypoint(), launch.cmd(), launch.env(),
          launch.workingDir(), launch.user());
      int code = 125;
      try {
        code = run(session, launch.spec(snapshot, containers.upperDir(record),
            containers.workDir(record)));
        return code;
      } finally {
        containers.save(record.finish(code));
      }
    }
  }

  private int run(Session session, ContainerSpec spec) throws InterruptedException {
    try (CommandRunner runner = session.runner()) {
      ExitStatus status = runner.runAttached(spec, interactive, tty);
      if (status.oomKilled()) {
        commandSpec.commandLine().getErr().println("jbuild: container killed: "
            + status.outOfMemoryDetail());
        commandSpec.commandLine().getErr().flush();
      }
      return status.exitCode();
    } catch (RunnerException e) {
      // docker run's conventions: 127 not found, 126 not executable, 125 anything else.
      commandSpec.commandLine().getErr().println("error: " + e.getMessage());
      commandSpec.commandLine().getErr().flush();
      if (e.commandNotFound()) {
        return 127;
      }
      return "exec".equals(e.stage()) ? 126 : 125;
    }
  }
}
