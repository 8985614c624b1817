package dev.jbuild.runner;

/**
 * Resource limits for one container, enforced with a fresh cgroup per run. Zero means unlimited.
 *
 * @param memoryBytes memory limit in bytes (swap is not allowed beyond it)
 * @param cpuQuotaMicros CPU time allowed per {@code cpuPeriodMicros}; e.g. 50000/100000 = half a
 *     CPU
 * @param cpuPeriodMicros CFS period; 0 means the default of 100000
 * @param pidsMax maximum number of processes and threads
 * @param cgroupParent the cgroup, relative to each hierarchy's root, that the run's cgroup is
 *     made under ({@code docker build --cgroup-parent}), so that its limits apply too; null for
 *     jbuild's own ({@code jbuild}). Checked by {@link #checkCgroupParent}.
 */
public record ResourceLimits(long memoryBytes, long cpuQuotaMicros, long cpuPeriodMicros,
    long pidsMax, String cgroupParent) {
  private static final ResourceLimits NONE = new ResourceLimits(0, 0, 0, 0);
  private static final java.util.regex.Pattern CGROUP_NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9_.@:+-]+");

  public ResourceLimits {
    if (memoryBytes < 0 || cpuQuotaMicros < 0 || cpuPeriodMicros < 0 || pidsMax < 0) {
      throw new IllegalArgumentException("resource limits must not be negative");
    }
    if (memoryBytes > 0 && memoryBytes < 4 * 1024 * 1024) {
      throw new IllegalArgumentException("memory limit below 4 MiB cannot start a container");
    }
    cgroupParent = checkCgroupParent(cgroupParent);
  }

  /** Limits under jbuild's own parent cgroup. */
  public ResourceLimits(long memoryBytes, long cpuQuotaMicros, long cpuPeriodMicros,
      long pidsMax) {
    this(memoryBytes, cpuQuotaMicros, cpuPeriodMicros, pidsMax, null);
  }

  /** These limits under the parent cgroup {@code parent} (null: jbuild's own). */
  public ResourceLimits withCgroupParent(String parent) {
    return new ResourceLimits(memoryBytes, cpuQuotaMicros, cpuPeriodMicros, pidsMax, parent);
  }

  /**
   * Checks a {@code --cgroup-parent} value and returns it relative to the hierarchies' roots: a
   * leading {@code /} is the root itself, as docker takes it; null or empty stays null.
   *
   * @throws IllegalArgumentException for a name that would leave the hierarchy ({@code ..}),
   *     has empty or {@code .} segments, or characters outside {@code [A-Za-z0-9_.@:+-]}
   */
  public static String checkCgroupParent(String parent) {
    if (parent == null) {
      return null;
    }
    String rel = parent.startsWith("/") ? parent.substring(1) : parent;
    if (rel.isEmpty()) {
      return null;
    }
    for (String segment : rel.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
          || !CGROUP_NAME.matcher(segment).matches()) {
        throw new IllegalArgumentException("invalid --cgroup-parent '" + parent + "': expected"
            + " a cgroup path inside the hierarchy such as 'builds' or 'ci/builds' (segments of"
            + " letters, digits and _.@:+-; no '..', '.' or empty ones)");
      }
    }
    return rel;
  }

  /** No limits: the container runs without a cgroup of its own. */
  public static ResourceLimits none() {
    return NONE;
  }

  /** Memory and pids limits only. */
  public static ResourceLimits of(long memoryBytes, long pidsMax) {
    return new ResourceLimits(memoryBytes, 0, 0, pidsMax);
  }

  /** True if no limit is set (a cgroup parent is no limit of its own). */
  public boolean isUnlimited() {
    return memoryBytes == 0 && cpuQuotaMicros == 0 && pidsMax == 0;
  }
}
