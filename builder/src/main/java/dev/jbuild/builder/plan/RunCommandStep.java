package dev.jbuild.builder.plan;

import java.util.List;

/**
 * RUN: a command run in a container over the stage's layers, whose changes become a layer.
 *
 * @param header label, line, history ({@code RUN |1 V=2 /bin/sh -c make # buildkit}) and config
 * @param argv the command (shell form already wrapped in the stage's SHELL)
 * @param env the environment, {@code K=V}: proxy build args, the stage's ARGs, then ENV
 * @param user the user (may be empty: root)
 * @param workingDir the absolute working directory
 * @param network the network of this step ({@code --network} applied over the build's default)
 * @param mounts the {@code --mount}s, in order
 * @param script a here-document run as an executable file ({@code RUN <<EOF} starting with
 *     {@code #!}), or null
 * @param cacheKey the static part of the step's cache key
 */
public record RunCommandStep(StepHeader header, List<String> argv, List<String> env, String user,
    String workingDir, NetworkPolicy network, List<RunMount> mounts, InlineFile script,
    String cacheKey) implements Step {
  /** Copies. */
  public RunCommandStep {
    argv = List.copyOf(argv);
    env = List.copyOf(env);
    mounts = List.copyOf(mounts);
  }

  /** Where the script is mounted inside the container. */
  public static String scriptPath(InlineFile script) {
    return "/dev/pipes/" + script.name();
  }
}
