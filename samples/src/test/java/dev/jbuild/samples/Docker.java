package dev.jbuild.samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The docker CLI as an interop oracle. Checks run when a Docker engine answers; CI sets {@code
 * JBUILD_REQUIRE_DOCKER=1} after starting dockerd, and then a missing engine fails the test
 * instead of skipping the check silently.
 */
public final class Docker {
  private Docker() {}

  public static boolean available() {
    try {
      boolean ok = exec(List.of("docker", "info")).exitCode() == 0;
      if (!ok && "1".equals(System.getenv("JBUILD_REQUIRE_DOCKER"))) {
        throw new AssertionError("JBUILD_REQUIRE_DOCKER=1 but no Docker engine answers");
      }
      if (!ok) {
        System.err.println("docker interop check skipped: no Docker engine running");
      }
      return ok;
    } catch (IOException e) {
      if ("1".equals(System.getenv("JBUILD_REQUIRE_DOCKER"))) {
        throw new AssertionError("JBUILD_REQUIRE_DOCKER=1 but docker is not installed", e);
      }
      System.err.println("docker interop check skipped: docker is not installed");
      return false;
    }
  }

  public static Jbuild.Result exec(List<String> cmd) throws IOException {
    try {
      Process p = new ProcessBuilder(cmd).start();
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + cmd);
      }
      return new Jbuild.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
          new String(err, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + cmd, e);
    }
  }
}
