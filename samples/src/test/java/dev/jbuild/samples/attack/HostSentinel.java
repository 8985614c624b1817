package dev.jbuild.samples.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What an attack must not change on the host: a canary directory outside every store (its files,
 * modes, link counts and contents), {@code /etc/shadow}'s link count (not its size, which tests
 * that add a user change), and the absence of any {@code pwned*} name in {@code /}, {@code /tmp}
 * and {@code /etc}, where a traversal would land. Malicious layers aim at {@link #canary()} by absolute and by relative ({@code ../..})
 * paths.
 */
final class HostSentinel implements AutoCloseable {
  /** The prefix of every file an attack tries to create. */
  static final String PWNED = "pwned";
  /** The content of the canary's {@code secret} file, which must never show up in a build. */
  static final String SECRET = "canary-secret-4242";

  private final Path canary;

  private HostSentinel(Path canary) {
    this.canary = canary;
  }

  /** Creates the canary directory with a secret, a victim file and a subdirectory. */
  static HostSentinel create() throws IOException {
    Path dir = Files.createDirectory(Path.of("/tmp", "jbuild-canary-" + UUID.randomUUID()));
    Files.writeString(dir.resolve("secret"), SECRET + "\n");
    Files.writeString(dir.resolve("victim"), "victim\n");
    Files.createDirectory(dir.resolve("dir"));
    Files.writeString(dir.resolve("dir/keep"), "keep\n");
    return new HostSentinel(dir);
  }

  /** The canary directory, an absolute path such as {@code /tmp/jbuild-canary-<uuid>}. */
  Path canary() {
    return canary;
  }

  /** The canary path without its leading slash, for names inside a layer. */
  String canaryRelative() {
    return canary.toString().substring(1);
  }

  /** A relative path that climbs far enough above any extraction root to reach the canary. */
  String climbToCanary() {
    return "../".repeat(40) + canaryRelative();
  }

  /** A description of everything watched; equal before and after means untouched. */
  Map<String, String> state() throws IOException {
    Map<String, String> state = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(canary)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        state.put(p.toString(), describe(p));
      }
    }
    Path shadow = Path.of("/etc/shadow");
    if (Files.exists(shadow, LinkOption.NOFOLLOW_LINKS)) {
      state.put(shadow.toString(), Files.getAttribute(shadow, "unix:nlink",
          LinkOption.NOFOLLOW_LINKS) + " links");
    }
    for (Path dir : List.of(Path.of("/"), Path.of("/tmp"), Path.of("/etc"))) {
      try (Stream<Path> list = Files.list(dir)) {
        list.filter(p -> p.getFileName().toString().startsWith(PWNED))
            .forEach(p -> state.put(p.toString(), "APPEARED"));
      }
    }
    return state;
  }

  /** Fails if the host changed since {@code before}. */
  void assertUntouched(Map<String, String> before, String attack) throws IOException {
    assertEquals(before, state(), attack + ": something outside the store changed on the host");
  }

  /** Fails if any mount of this process's namespace is under {@code storeRoot}. */
  static void assertNothingMounted(Path storeRoot, String attack) throws IOException {
    List<String> left = Files.readAllLines(Path.of("/proc/self/mountinfo"),
        StandardCharsets.UTF_8).stream().filter(l -> l.contains(storeRoot.toString())).toList();
    assertEquals(List.of(), left, attack + ": mounts left behind");
  }

  private static String describe(Path p) throws IOException {
    if (Files.isSymbolicLink(p)) {
      return "link:" + Files.readSymbolicLink(p);
    }
    String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
        LinkOption.NOFOLLOW_LINKS));
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return "dir " + mode;
    }
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return "special " + mode;
    }
    return "file " + mode + " nlink=" + Files.getAttribute(p, "unix:nlink",
        LinkOption.NOFOLLOW_LINKS) + " " + Files.readString(p, StandardCharsets.UTF_8);
  }

  /** Removes the canary directory (whatever an attack may have put into it). */
  @Override
  public void close() throws IOException {
    if (!Files.exists(canary, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(canary)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
