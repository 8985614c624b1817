package dev.jbuild.runner;

/**
 * The naming scheme that lets a runner find what crashed runs left behind: every cgroup, network
 * namespace and scratch dir is named {@code <kind><owner pid>-<unique>}, where the owner is the
 * JVM that made it. Something whose owner no longer runs is stale (rrun and the container died
 * with the JVM through PR_SET_PDEATHSIG, so only the resources remain).
 */
final class Owners {
  private static final long SELF = ProcessHandle.current().pid();

  private Owners() {}

  /** {@code <pid>-<unique>} for this JVM. */
  static String name(String unique) {
    return SELF + "-" + unique;
  }

  /**
   * True if {@code ownerAndUnique} ({@code <pid>-...}) belongs to a process that is gone. A
   * recycled pid only delays the cleanup to a later sweep; names that do not parse are not ours.
   */
  static boolean isStale(String ownerAndUnique) {
    int dash = ownerAndUnique.indexOf('-');
    if (dash <= 0) {
      return false;
    }
    long pid;
    try {
      pid = Long.parseLong(ownerAndUnique.substring(0, dash));
    } catch (NumberFormatException e) {
      return false;
    }
    return pid != SELF && ProcessHandle.of(pid).isEmpty();
  }
}
