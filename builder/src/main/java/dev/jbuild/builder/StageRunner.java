package dev.jbuild.builder;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.exec.BuildEnvironment;
import dev.jbuild.builder.exec.SharedStages;
import dev.jbuild.builder.exec.StageExecutor;
import dev.jbuild.builder.exec.StageResult;
import dev.jbuild.builder.plan.BuildPlan;
import dev.jbuild.builder.plan.StagePlan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs a plan's stages for {@link ImageBuilder}: one thread per stage, each waiting only for the
 * stages it reads; the first failure cancels the rest. Stateless; each call owns its threads and
 * shuts them down before it returns.
 */
final class StageRunner {
  private StageRunner() {}

  /**
   * Runs every planned stage on its own thread; a stage waits only for the stages it reads. The
   * first failure cancels the rest.
   */
  static StageResult run(BuildPlan plan, BuildEnvironment env,
      SharedStages shared, Map<Integer, String> identities)
      throws BuildException, InterruptedException {
    Map<Integer, CompletableFuture<StageResult>> futures = new LinkedHashMap<>();
    for (StagePlan stage : plan.stages()) {
      futures.put(stage.index(), new CompletableFuture<>());
    }
    StageExecutor executor = new StageExecutor(env, index -> {
      // A step reading another stage waits for it; progress must not count that as its time.
      env.listener().waiting(true);
      try {
        return await(futures, index);
      } finally {
        env.listener().waiting(false);
      }
    });
    ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "jbuild-stage");
      t.setDaemon(true);
      return t;
    });
    try {
      for (StagePlan stage : plan.stages()) {
        CompletableFuture<StageResult> future = futures.get(stage.index());
        pool.execute(() -> {
          try {
            future.complete(shared == null ? executor.build(stage)
                : shared.build(identities.get(stage.index()), () -> executor.build(stage)));
          } catch (Throwable e) {
            future.completeExceptionally(e);
          }
        });
      }
      CompletableFuture<Void> all =
          CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]));
      for (CompletableFuture<StageResult> f : futures.values()) {
        f.whenComplete((r, e) -> {
          if (e != null) {
            all.completeExceptionally(e);
          }
        });
      }
      try {
        all.get();
      } catch (ExecutionException e) {
        throw unwrap(e);
      }
      return await(futures, plan.target().index());
    } finally {
      pool.shutdownNow();
    }
  }

  private static StageResult await(Map<Integer, CompletableFuture<StageResult>> futures,
      int index) throws BuildException, InterruptedException {
    CompletableFuture<StageResult> f = futures.get(index);
    if (f == null) {
      throw new BuildException("stage " + index + " is not part of this build");
    }
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  private static BuildException unwrap(ExecutionException e)
      throws BuildException, InterruptedException {
    Throwable cause = e.getCause();
    while (cause instanceof ExecutionException
        || cause instanceof java.util.concurrent.CompletionException) {
      cause = cause.getCause();
    }
    if (cause instanceof BuildException b) {
      return b;
    }
    BuildException.rethrowIfKnown(cause);
    return new BuildException(String.valueOf(cause), cause);
  }
}
