package dev.jbuild.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs blob transfers on a small pool and rethrows the first failure with its own type, so callers
 * keep their {@code throws IOException, RegistryException} contract.
 */
final class ParallelTransfers {
  private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

  /** One transfer; the checked exceptions of the registry client. */
  @FunctionalInterface
  interface Transfer {
    void run() throws IOException, RegistryException;
  }

  private ParallelTransfers() {}

  /**
   * Runs all {@code transfers} with at most {@code parallelism} at a time and waits for them. On
   * the first failure the others are cancelled (interrupted) and that failure is thrown.
   */
  static void runAll(List<Transfer> transfers, int parallelism, String purpose)
      throws IOException, RegistryException {
    if (transfers.isEmpty()) {
      return;
    }
    if (transfers.size() == 1 || parallelism <= 1) {
      for (Transfer transfer : transfers) {
        transfer.run();
      }
      return;
    }
    int pool = POOL_NUMBER.incrementAndGet();
    AtomicInteger thread = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(
        Math.min(parallelism, transfers.size()),
        runnable -> {
          Thread t = new Thread(runnable,
              "jbuild-" + purpose + "-" + pool + "-" + thread.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (Transfer transfer : transfers) {
        futures.add(executor.submit(() -> {
          transfer.run();
          return null;
        }));
      }
      for (Future<Void> future : futures) {
        try {
          future.get();
        } catch (ExecutionException e) {
          throw rethrow(e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while transferring blobs", e);
    } finally {
      executor.shutdownNow();
    }
  }

  private static IOException rethrow(Throwable cause) throws RegistryException {
    if (cause instanceof RegistryException) {
      throw (RegistryException) cause;
    }
    if (cause instanceof IOException) {
      return (IOException) cause;
    }
    if (cause instanceof RuntimeException) {
      throw (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new IOException(cause);
  }
}
