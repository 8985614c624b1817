package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.fs.RootedPath;

/** Container paths as the planner writes them. */
public final class PlanPaths {
  private PlanPaths() {}

  /**
   * Resolves {@code path} against the working directory, as WORKDIR, COPY and mount targets do:
   * {@code .} and {@code ..} removed, never above {@code /}, no trailing slash.
   */
  public static String absolute(String workingDir, String path) {
    return "/" + String.join("/",
        RootedPath.clean(path.startsWith("/") ? path : workingDir + "/" + path));
  }
}
