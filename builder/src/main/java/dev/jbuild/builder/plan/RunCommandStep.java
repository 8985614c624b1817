package dev.jbuild.builder.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RUN: a command run in a container over the stage's layers, whose changes become a layer.
 *
 * @param header label, line, history ({@code RUN |1 V=2 /bin/sh -c make # buildkit}) and config
 * @param argv the command (shell form already wrapped in the stage's SHELL)
 * @param env the environment, {@code K=V}: proxy build args, the stage's ARGs, then ENV
 * @param proxyEnv BuildKit's proxy variables from the build args ({@code HTTP_PROXY=v},
 *     {@code http_proxy=v}, …), set after {@code env} when the command runs and never part of
 *     the cache key
 * @param user the user (may be empty: root)
 * @param workingDir the absolute working directory
 * @param network the network of this step ({@code --network} applied over the build's default)
 * @param mounts the {@code --mount}s, in order
 * @param script a here-document run as an executable file ({@code RUN <<EOF} starting with
 *     {@code #!}), or null
 * @param hostname the container's hostname from the {@code BUILDKIT_SANDBOX_HOSTNAME} build arg,
 *     or null for the runner's default ({@code buildkitsandbox})
 * @param cacheKey the static part of the step's cache key
 */
public record RunCommandStep(StepHeader header, List<String> argv, List<String> env,
    List<String> proxyEnv, String user,
    String workingDir, NetworkPolicy network, List<RunMount> mounts, InlineFile script,
    String hostname, String cacheKey) implements Step {
  /** Copies. */
  public RunCommandStep {
    argv = List.copyOf(argv);
    env = List.copyOf(env);
    proxyEnv = List.copyOf(proxyEnv);
    mounts = List.copyOf(mounts);
  }

  /**
   * The environment the command gets: {@code env}, then {@code proxyEnv} replacing variables of
   * the same name (BuildKit appends its proxy variables last, and the runtime keeps the last).
   */
  public List<String> processEnv() {
    if (proxyEnv.isEmpty()) {
      return env;
    }
    Map<String, String> merged = new LinkedHashMap<>();
    for (String kv : env) {
      int eq = kv.indexOf('=');
      merged.put(eq < 0 ? kv : kv.substring(0, eq), kv);
    }
    for (String kv : proxyEnv) {
      merged.put(kv.substring(0, kv.indexOf('=')), kv);
    }
    return List.copyOf(merged.values());
  }

  /** Where the script is mounted inside the container. */
  public static String scriptPath(InlineFile script) {
    return "/dev/pipes/" + script.name();
  }
}
