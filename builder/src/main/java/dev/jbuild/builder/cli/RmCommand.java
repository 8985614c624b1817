package dev.jbuild.builder.cli;

import dev.jbuild.builder.container.ContainerStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild rm}: deletes kept containers and their read-write layers. A running container is
 * refused unless {@code -f}, which kills the jbuild process running it (its container dies with
 * it, and the next runner sweeps the cgroup and network namespace it leaves).
 */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove containers.")
final class RmCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = {"-f", "--force"}, description = "Kill and remove a running container.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    ContainerStore store = new ContainerStore(session.root);
    int failures = 0;
    for (String name : containers) {
      try {
        ContainerStore.Record c = store.find(name);
        if (c.running()) {
          if (!force) {
            throw new IllegalStateException("You cannot remove a running container "
                + c.shortId() + ". Stop it first or use rm -f");
          }
          Optional<ProcessHandle> owner = ProcessHandle.of(c.ownerPid());
          if (owner.isPresent()) {
            owner.get().destroyForcibly();
            owner.get().onExit().get(10, TimeUnit.SECONDS);
          }
        }
        store.remove(c);
        System.out.println(name);
      } catch (Exception e) {
        System.err.println("error: " + e.getMessage());
        failures++;
      }
    }
    return failures == 0 ? 0 : 1;
  }
}
