package dev.jbuild.runner;

/**
 * Resource limits for one container, enforced with a fresh cgroup per run. Zero means unlimited.
 *
 * @param memoryBytes memory limit in bytes (swap is not allowed beyond it)
 * @param cpuQuotaMicros CPU time allowed per {@code cpuPeriodMicros}; e.g. 50000/100000 = half a
 *     CPU
 * @param cpuPeriodMicros CFS period; 0 means the default of 100000
 * @param pidsMax maximum number of processes and threads
 */
public record ResourceLimits(long memoryBytes, long cpuQuotaMicros, long cpuPeriodMicros, long pidsMax) {
  private static final ResourceLimits NONE = new ResourceLimits(0, 0, 0, 0);

  public ResourceLimits {
    if (memoryBytes < 0 || cpuQuotaMicros < 0 || cpuPeriodMicros < 0 || pidsMax < 0) {
      throw new IllegalArgumentException("resource limits must not be negative");
    }
    if (memoryBytes > 0 && memoryBytes < 4 * 1024 * 1024) {
      throw new IllegalArgumentException("memory limit below 4 MiB cannot start a container");
    }
  }

  /** No limits: the container runs without a cgroup of its own. */
  public static ResourceLimits none() {
    return NONE;
  }

  /** Memory and pids limits only. */
  public static ResourceLimits of(long memoryBytes, long pidsMax) {
    return new ResourceLimits(memoryBytes, 0, 0, pidsMax);
  }

  /** True if no limit is set. */
  public boolean isUnlimited() {
    return memoryBytes == 0 && cpuQuotaMicros == 0 && pidsMax == 0;
  }
}
