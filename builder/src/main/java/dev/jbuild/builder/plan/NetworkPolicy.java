package dev.jbuild.builder.plan;

/** Network modes a RUN step may get. */
public enum NetworkPolicy {
  /** A private network namespace with only {@code lo}. */
  NONE,
  /** The host's network namespace. */
  HOST,
  /** A private network namespace on jbuild's bridge with NAT, as {@code docker build} does. */
  BRIDGE
}
