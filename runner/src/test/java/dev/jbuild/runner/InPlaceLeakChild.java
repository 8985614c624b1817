package dev.jbuild.runner;

import java.nio.file.Path;
import java.util.List;

/**
 * A JVM that {@link InPlaceLeakTest} kills with -9 while an in-place step runs: it starts the
 * step given as the third argument in the root given as the second and never gets to clean up.
 * Arguments: state dir, root, shell command.
 */
public final class InPlaceLeakChild {
  private InPlaceLeakChild() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[1]);
    InPlaceContainerRunner runner = InPlaceContainerRunner.create(Path.of(args[0]), root,
        List.of());
    ContainerSpec spec = ContainerSpec.builder().inPlaceRoot(root).env(List.of("PATH=/bin"))
        .network(NetworkMode.HOST).args("sh", "-c", args[2]).build();
    runner.run(spec, System.out, System.err);
  }
}
