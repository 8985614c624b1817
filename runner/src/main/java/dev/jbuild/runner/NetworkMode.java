package dev.jbuild.runner;

/** How a container is connected to the network. */
public enum NetworkMode {
  /** A new network namespace with only {@code lo} (up). DNS is configured but unreachable. */
  NONE,
  /** The host's network namespace (BuildKit's {@code network.host} entitlement). */
  HOST,
  /**
   * A private network namespace with a veth pair on the host bridge {@code jbuild0} and NAT to
   * the outside ({@code docker build}'s default). Needs Debian's containernetworking-plugins and
   * iptables; namespaces are pooled, so only the first run pays for the setup.
   */
  BRIDGE
}
