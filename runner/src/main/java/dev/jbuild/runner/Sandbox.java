package dev.jbuild.runner;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The container settings {@code docker build} takes for every RUN step beyond limits: extra
 * {@code /etc/hosts} lines ({@code --add-host}), the size of {@code /dev/shm} ({@code
 * --shm-size}) and process rlimits ({@code --ulimit}). Immutable.
 *
 * @param extraHosts lines appended to the generated {@code /etc/hosts}, in order
 * @param shmSizeBytes size of the {@code /dev/shm} tmpfs; 0 means docker's 64 MiB
 * @param rlimits rlimits set on the command before it starts (at most one per resource)
 */
public record Sandbox(List<Host> extraHosts, long shmSizeBytes, List<Rlimit> rlimits) {
  /** Nothing beyond docker's defaults. */
  public static final Sandbox DEFAULT = new Sandbox(List.of(), 0, List.of());

  /** Validates and copies. */
  public Sandbox {
    extraHosts = List.copyOf(extraHosts);
    rlimits = List.copyOf(rlimits);
    if (shmSizeBytes < 0) {
      throw new IllegalArgumentException("the size of /dev/shm must not be negative");
    }
    if (rlimits.stream().map(Rlimit::name).distinct().count() != rlimits.size()) {
      throw new IllegalArgumentException("an rlimit is set twice: " + rlimits);
    }
  }

  /** True when nothing differs from docker's defaults. */
  public boolean isDefault() {
    return extraHosts.isEmpty() && shmSizeBytes == 0 && rlimits.isEmpty();
  }

  /**
   * One {@code /etc/hosts} line, {@code ip<TAB>name} as BuildKit writes it (executor/oci
   * hosts.go).
   *
   * @param name the host name; no white space
   * @param ip a literal IPv4 or IPv6 address
   */
  public record Host(String name, String ip) {
    private static final Pattern NAME = Pattern.compile("[^\\s#\\x00]+");
    private static final Pattern IPV4 =
        Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** Validates: a host name without blanks and a literal address (no lookup is ever made). */
    public Host {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(ip, "ip");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("bad host name \"" + name + "\"");
      }
      if (!IPV4.matcher(ip).matches() && !(IPV6.matcher(ip).matches() && isIpv6(ip))) {
        throw new IllegalArgumentException("invalid IP address \"" + ip + "\"");
      }
    }

    private static boolean isIpv6(String ip) {
      try {
        // A literal (the pattern allowed only hex, ':' and '.'), so this never resolves a name.
        return java.net.InetAddress.getByName(ip) instanceof java.net.Inet6Address
            || ip.contains(":");
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
  }

  /**
   * A process resource limit, as {@code setrlimit(2)} takes it.
   *
   * @param name docker's name: {@code nofile}, {@code nproc}, {@code core}, …
   * @param soft the soft limit; -1 is unlimited
   * @param hard the hard limit; -1 is unlimited, and never below {@code soft}
   */
  public record Rlimit(String name, long soft, long hard) {
    /** docker's (go-units) names and the Linux resource each sets. */
    public static final Map<String, String> RESOURCES = Map.ofEntries(
        Map.entry("core", "RLIMIT_CORE"), Map.entry("cpu", "RLIMIT_CPU"),
        Map.entry("data", "RLIMIT_DATA"), Map.entry("fsize", "RLIMIT_FSIZE"),
        Map.entry("locks", "RLIMIT_LOCKS"), Map.entry("memlock", "RLIMIT_MEMLOCK"),
        Map.entry("msgqueue", "RLIMIT_MSGQUEUE"), Map.entry("nice", "RLIMIT_NICE"),
        Map.entry("nofile", "RLIMIT_NOFILE"), Map.entry("nproc", "RLIMIT_NPROC"),
        Map.entry("rss", "RLIMIT_RSS"), Map.entry("rtprio", "RLIMIT_RTPRIO"),
        Map.entry("rttime", "RLIMIT_RTTIME"), Map.entry("sigpending", "RLIMIT_SIGPENDING"),
        Map.entry("stack", "RLIMIT_STACK"));

    /** Validates the name and that soft does not exceed hard. */
    public Rlimit {
      Objects.requireNonNull(name, "name");
      if (!RESOURCES.containsKey(name)) {
        throw new IllegalArgumentException("invalid ulimit type: " + name);
      }
      if (soft < -1 || hard < -1) {
        throw new IllegalArgumentException("ulimit " + name + " must be -1 (unlimited) or more");
      }
      if (hard != -1 && (soft == -1 || soft > hard)) {
        throw new IllegalArgumentException(
            "ulimit soft limit must be less than or equal to hard limit: " + soft + " > " + hard);
      }
    }

    /**
     * Parses docker's {@code NAME=SOFT[:HARD]} (go-units {@code ParseUlimit}); a missing hard
     * limit equals the soft one.
     *
     * @throws IllegalArgumentException with docker's wording for a bad argument
     */
    public static Rlimit parse(String spec) {
      int eq = spec.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("invalid ulimit argument: " + spec);
      }
      String name = spec.substring(0, eq).toLowerCase(Locale.ROOT);
      String[] values = spec.substring(eq + 1).split(":", -1);
      if (values.length > 2) {
        throw new IllegalArgumentException("too many limit value arguments - " + spec
            + ", can only have up to two, `soft[:hard]`");
      }
      try {
        long soft = Long.parseLong(values[0]);
        long hard = values.length == 2 ? Long.parseLong(values[1]) : soft;
        return new Rlimit(name, soft, hard);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid ulimit argument: " + spec
            + " (limits are whole numbers, -1 for unlimited)");
      }
    }

    @Override
    public String toString() {
      return name + "=" + soft + ":" + hard;
    }
  }
}
