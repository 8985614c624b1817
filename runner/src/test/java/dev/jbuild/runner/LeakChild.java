package dev.jbuild.runner;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A JVM that the leak test kills with -9 while its container runs: it starts one container with
 * a cgroup, limits and a bridge namespace and never cleans up, because it never gets to.
 * Arguments: state dir, lower dir, upper dir, work dir, and optionally a {@code --cgroup-parent}.
 */
public final class LeakChild {
  private LeakChild() {}

  public static void main(String[] args) throws Exception {
    ContainerRunner runner = ContainerRunner.create(Path.of(args[0]));
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(Path.of(args[1])))
        .upperDir(Path.of(args[2])).workDir(Path.of(args[3])).env(List.of("PATH=/bin"))
        .network(NetworkMode.BRIDGE).limits(new ResourceLimits(64L << 20, 50_000, 0, 50,
            args.length > 4 ? args[4] : null))
        .args("sh", "-c", "echo started; sleep 60017 & sleep 60017").build();
    PrintStream out = System.out;
    runner.run(spec, out, System.err);
  }
}
