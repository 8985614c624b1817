package dev.jbuild.builder.exec;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.plan.BuildPlan;
import dev.jbuild.builder.plan.StagePlan;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.Platform;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Stages that the builds of several target platforms share: a stage whose plan is the same for
 * every target (typically {@code FROM --platform=$BUILDPLATFORM}, the cross-compilation pattern)
 * runs once, and every build that plans it gets the same result, as BuildKit merges identical
 * LLB vertices. A stage is identified by its platform, its whole plan (expanded steps, configs,
 * cache choices) and the identities of the stages it reads, so a stage that reads {@code
 * TARGETARCH} or builds on a per-target stage is never shared. Thread-safe.
 */
public final class SharedStages {
  private final Map<String, CompletableFuture<StageResult>> results = new ConcurrentHashMap<>();

  /** The work of building one stage. */
  @FunctionalInterface
  public interface StageWork {
    /** Builds the stage. */
    StageResult build() throws BuildException, InterruptedException;
  }

  /**
   * Each planned stage's identity (a digest), by stage index, for builds of {@code target}.
   */
  public static Map<Integer, String> identities(BuildPlan plan, Platform target) {
    Map<Integer, String> ids = new HashMap<>();
    for (StagePlan stage : plan.stages()) { // index order: a stage reads only earlier ones
      StringBuilder text = new StringBuilder();
      text.append(stage.platformOr(target)).append('\n').append(stage).append('\n');
      new java.util.TreeSet<>(stage.dependencies()).forEach(d ->
          text.append(d).append('=').append(ids.get(d)).append('\n'));
      ids.put(stage.index(), Digest.sha256(text.toString()).toString());
    }
    return ids;
  }

  /**
   * The result of the stage {@code identity}: built by {@code work} on the first call, awaited
   * by every later or concurrent one (a failure is everyone's).
   */
  public StageResult build(String identity, StageWork work)
      throws BuildException, InterruptedException {
    CompletableFuture<StageResult> mine = new CompletableFuture<>();
    CompletableFuture<StageResult> existing = results.putIfAbsent(identity, mine);
    if (existing == null) {
      try {
        StageResult r = work.build();
        mine.complete(r);
        return r;
      } catch (Throwable e) {
        mine.completeExceptionally(e);
        throw e;
      }
    }
    try {
      return existing.get();
    } catch (ExecutionException e) {
      Throwable cause = BuildException.rethrowIfKnown(e.getCause());
      throw new BuildException("a stage shared by several platforms failed: " + cause, cause);
    }
  }
}
