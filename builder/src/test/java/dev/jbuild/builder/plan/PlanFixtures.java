package dev.jbuild.builder.plan;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.parser.DockerfileParser;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Plans Dockerfiles for tests, with every base image given one config. */
final class PlanFixtures {
  static final Platform AMD64 = Platform.parse("linux/amd64");

  private PlanFixtures() {}

  /** A busybox-like base: PATH, CMD sh. */
  static ImageConfig busybox() {
    ContainerConfig c = ContainerConfig.EMPTY.toBuilder()
        .env(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"))
        .cmd(List.of("sh")).build();
    return ImageConfig.scratch(AMD64).withContainerConfig(c);
  }

  static PlanOptions options(String target, Map<String, String> buildArgs) {
    return new PlanOptions("Dockerfile", target, AMD64, buildArgs, NetworkPolicy.NONE, false,
        Set.of());
  }

  static BuildPlan plan(String text) throws BuildException, InterruptedException {
    return plan(text, options(null, Map.of()), busybox());
  }

  static BuildPlan plan(String text, PlanOptions options, ImageConfig base)
      throws BuildException, InterruptedException {
    try {
      return BuildPlanner.plan(DockerfileParser.parse(text, "Dockerfile"), text, options,
          ref -> base);
    } catch (dev.jbuild.parser.ast.DockerfileSyntaxException e) {
      throw new AssertionError(e);
    }
  }
}
