package dev.jbuild.runner;

/** How a container is connected to the network. */
public enum NetworkMode {
  /** A new network namespace with only {@code lo} (up). DNS is configured but unreachable. */
  NONE,
  /** The host's network namespace (BuildKit's {@code network.host} entitlement). */
  HOST
}
