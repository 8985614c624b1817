package dev.jbuild.builder.event;

/**
 * Receives build progress. Front ends render it (plain lines, a TTY view, JSON); the builder never
 * prints. Implementations must be thread-safe: steps may report from worker threads.
 */
public interface BuildListener {
  /** A listener that ignores everything. */
  BuildListener NONE = new BuildListener() {};

  /**
   * A step started.
   *
   * @param label the step's label, for example {@code [2/4] RUN make}
   */
  default void stepStarted(String label) {}

  /** A line of output from a running step (without the line terminator). */
  default void stepOutput(String label, String line) {}

  /** A step finished; {@code cached} when its result was reused. */
  default void stepFinished(String label, long millis, boolean cached) {}

  /**
   * The step the calling thread runs waits for another stage ({@code true}), or goes on ({@code
   * false}); progress views do not count the wait as the step's time.
   */
  default void waiting(boolean waiting) {}

  /** A one-line informational message, for example {@code naming to docker.io/library/x:latest}. */
  default void info(String message) {}

  /**
   * The build failed with {@code message} (the line the user sees); {@code exitCode} is a failed
   * RUN step's exit code, else null.
   */
  default void failed(String message, Integer exitCode) {}

  /**
   * The build succeeded: the image ID, its manifest digest (the digest a push sends) and the
   * tags this run pushed.
   */
  default void finished(String imageId, String manifestDigest, java.util.List<String> pushed) {}
}
