package dev.jbuild.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Generates /etc/hosts, /etc/resolv.conf and /etc/hostname as BuildKit does (executor/oci). */
final class EtcFiles {
  static final List<String> FALLBACK_NAMESERVERS = List.of("8.8.8.8", "8.8.4.4");
  private static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");
  private static final Path SYSTEMD_RESOLV_CONF = Path.of("/run/systemd/resolve/resolv.conf");

  private EtcFiles() {}

  static String hosts(String hostname) {
    return hosts(hostname, List.of());
  }

  /** The default lines, then one {@code ip<TAB>name} line per {@code --add-host}, in order. */
  static String hosts(String hostname, List<Sandbox.Host> extraHosts) {
    StringBuilder out = new StringBuilder("127.0.0.1\tlocalhost " + hostname + "\n"
        + "::1\tlocalhost ip6-localhost ip6-loopback\n");
    for (Sandbox.Host h : extraHosts) {
      out.append(h.ip()).append('\t').append(h.name()).append('\n');
    }
    return out.toString();
  }

  static String hostname(String hostname) {
    return hostname + "\n";
  }

  /** The host's resolv.conf, or systemd-resolved's upstream file when the host uses its stub. */
  static String hostResolvConf() throws IOException {
    String content = Files.exists(HOST_RESOLV_CONF)
        ? Files.readString(HOST_RESOLV_CONF, StandardCharsets.UTF_8) : "";
    List<String> servers = nameservers(content);
    if (servers.equals(List.of("127.0.0.53")) && Files.isReadable(SYSTEMD_RESOLV_CONF)) {
      return Files.readString(SYSTEMD_RESOLV_CONF, StandardCharsets.UTF_8);
    }
    return content;
  }

  /**
   * The container's resolv.conf. With the host network it is the host's, unchanged. In a private
   * network namespace loopback nameservers cannot work, so they are dropped, and if none remain
   * Google's public DNS servers are used (BuildKit resolvconf.go).
   */
  static String resolvConf(String hostContent, NetworkMode network) {
    if (network == NetworkMode.HOST) {
      return hostContent;
    }
    StringBuilder out = new StringBuilder();
    boolean anyServer = false;
    for (String line : hostContent.split("\n", -1)) {
      String server = nameserver(line);
      if (server != null && isLoopback(server)) {
        continue;
      }
      anyServer |= server != null;
      if (!line.isEmpty()) {
        out.append(line).append('\n');
      }
    }
    if (!anyServer) {
      for (String s : FALLBACK_NAMESERVERS) {
        out.append("nameserver ").append(s).append('\n');
      }
    }
    return out.toString();
  }

  static List<String> nameservers(String content) {
    List<String> servers = new ArrayList<>();
    for (String line : content.split("\n")) {
      String s = nameserver(line);
      if (s != null) {
        servers.add(s);
      }
    }
    return servers;
  }

  private static String nameserver(String line) {
    String[] fields = line.trim().split("\\s+");
    return fields.length >= 2 && fields[0].equals("nameserver") ? fields[1] : null;
  }

  private static boolean isLoopback(String address) {
    return address.startsWith("127.") || address.equals("::1")
        || address.equals("0:0:0:0:0:0:0:1");
  }
}
