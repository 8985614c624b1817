package dev.jbuild.builder.cli;

import dev.jbuild.registry.auth.DockerConfigCredentials;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild logout [SERVER]}, like {@code docker logout}: removes the saved credentials for the
 * registry from {@code config.json} and from its credential helper.
 */
@Command(name = "logout", mixinStandardHelpOptions = true,
    description = "Log out from a registry (default: Docker Hub).")
final class LogoutCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER") String server;

  @Override
  public Integer call() throws Exception {
    String registry = LoginCommand.normalize(server);
    String key = DockerConfigCredentials.serverUrl(registry);
    Session session = Session.open(main);
    if (DockerConfigCredentials.erase(
        session.registryOptions().dockerConfigDirectory(), registry)) {
      System.out.println("Removing login credentials for " + key);
    } else {
      System.out.println("Not logged in to " + key);
    }
    return 0;
  }
}
