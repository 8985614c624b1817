package dev.jbuild.samples.attack;

import static dev.jbuild.samples.attack.Attacks.succeededOrRefusedCleanly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.samples.Jbuild;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile build context (for example a cloned repository that CI builds) trying to make the
 * real {@code jbuild build} read host files outside the context: symlinks, {@code ..} sources,
 * {@code .dockerignore} tricks, a Dockerfile that is a symlink to a host file, and FIFOs or
 * sockets that could hang the build. Builds are {@code FROM scratch} with {@code -o
 * type=local}, so the result is inspected on disk: the canary's secret must never appear in it
 * nor in what the user sees, and every build either works as BuildKit's does or refuses with one
 * clear line. Symlink swap races are out of scope. Tagged root like the other end-to-end builds
 * (checked as root only; CI runs as root).
 */
@Tag("root")
class ContextAttackTest {
  @TempDir static Path work;
  static Jbuild jbuild;
  static HostSentinel host;
  private static int builds;

  @BeforeAll
  static void setUp() throws IOException {
    jbuild = new Jbuild(work.resolve("store"));
    host = HostSentinel.create();
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (host != null) {
      host.close();
    }
  }

  /** A fresh context directory (with an outside sibling {@code ../outside-secret}). */
  private static Path context(String name) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    Files.writeString(dir.resolve("outside-secret"), HostSentinel.SECRET + "\n");
    return Files.createDirectories(dir.resolve("ctx"));
  }

  /** What one build did: whether it succeeded, and its local export directory. */
  private record Built(boolean ok, Path out, Jbuild.Result result) {}

  /**
   * Builds {@code context} with {@code dockerfile} written into it (unless null), exporting to a
   * fresh local directory; the build must succeed or refuse cleanly, and neither the export nor
   * the output may hold the secret.
   */
  private static Built build(Path context, String dockerfile, String what, String... extra)
      throws IOException, InterruptedException {
    if (dockerfile != null) {
      Files.writeString(context.resolve("Dockerfile"), dockerfile);
    }
    Map<String, String> before = host.state();
    Path out = context.resolveSibling("out-" + builds++);
    List<String> args = new ArrayList<>(List.of("build", "--progress=plain", "-o",
        "type=local,dest=" + out));
    args.addAll(List.of(extra));
    args.add(context.toString());
    Jbuild.Result r = jbuild.run(args.toArray(new String[0]));
    boolean ok = succeededOrRefusedCleanly(r, what);
    assertFalse((r.stdout() + r.stderr()).toLowerCase(Locale.ROOT)
        .contains(HostSentinel.SECRET), what + ": the secret is in the output:\n" + r.stderr());
    assertEquals(List.of(), filesWithSecret(out), what + ": the secret was copied");
    host.assertUntouched(before, what);
    return new Built(ok, out, r);
  }

  private static List<Path> filesWithSecret(Path out) throws IOException {
    if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<Path> leaks = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(out)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            && Files.readString(p, StandardCharsets.ISO_8859_1).contains(HostSentinel.SECRET)) {
          leaks.add(p);
        }
      }
    }
    return leaks;
  }

  /**
   * A symlink {@code link -> /tmp/jbuild-canary-*} in the context: {@code COPY . /all/} copies the
   * link itself, and {@code COPY link /x} resolves it inside the context and so finds nothing;
   * both as BuildKit 0.8 does (checked with {@code docker build}). The canary is never copied.
   */
  @Test
  void symlinkToOutside_isCopiedAsALinkOrNotFound() throws Exception {
    Path ctx = context("copy-link");
    Files.createSymbolicLink(ctx.resolve("link"), host.canary());
    Built all = build(ctx, "FROM scratch\nCOPY . /all/\n", "COPY . with a link");
    assertTrue(all.ok(), all.result().stderr());
    assertTrue(Files.isSymbolicLink(all.out().resolve("all/link")), "not copied as a link");
    assertEquals(host.canary(), Files.readSymbolicLink(all.out().resolve("all/link")));
    Built link = build(ctx, "FROM scratch\nCOPY link /x\n", "COPY link");
    assertFalse(link.ok(), "COPY link found something");
  }

  /**
   * Reading through a symlink that points outside the context ({@code link -> /tmp/canary},
   * {@code rel -> ../../…/tmp/canary}) with {@code COPY link/}, {@code COPY link/secret}, {@code
   * COPY rel/secret}, {@code COPY link/*}, {@code ADD link/secret}: the link is resolved inside
   * the context (as BuildKit does), so each is refused as not found; the secret never copied.
   */
  @Test
  void symlinkToOutside_isNeverReadThrough() throws Exception {
    Path ctx = context("read-through");
    Files.createSymbolicLink(ctx.resolve("link"), host.canary());
    Files.createSymbolicLink(ctx.resolve("rel"), Path.of(host.climbToCanary()));
    for (String instruction : List.of("COPY link/ /x/", "COPY link/secret /x",
        "COPY rel/secret /x", "COPY link/* /x/", "ADD link/secret /x", "COPY rel/ /x/")) {
      Built b = build(ctx, "FROM scratch\n" + instruction + "\n", instruction);
      assertFalse(b.ok() && Files.exists(b.out().resolve("x/secret")), instruction);
    }
  }

  /**
   * Sources that climb out of the context: {@code COPY ../outside-secret /x} and an absolute
   * {@code COPY /tmp/jbuild-canary-…/secret /x}. Both are cleaned to paths inside the context
   * (as BuildKit does) and so not found; nothing outside is read.
   */
  @Test
  void sourcesClimbingOut_areResolvedInsideTheContext() throws Exception {
    Path ctx = context("climb");
    for (String source : List.of("../outside-secret", "../../" + "../".repeat(20)
        + "outside-secret", host.canary() + "/secret")) {
      Built b = build(ctx, "FROM scratch\nCOPY " + source + " /x\n", "COPY " + source);
      assertFalse(b.ok(), "COPY " + source + " found something");
    }
  }

  /**
   * {@code .dockerignore} tricks: {@code private} is excluded, but reached through a symlinked
   * directory {@code pub -> private}; a {@code !../outside-secret} exception tries to re-include a
   * file outside the context. {@code COPY . /all/}, {@code COPY pub/key /k} and {@code COPY
   * private/key /k} must never copy the excluded key nor the outside file.
   */
  @Test
  void dockerignoreTricks_neverExposeExcludedOrOutsideFiles() throws Exception {
    Path ctx = context("ignore");
    Files.createDirectories(ctx.resolve("private"));
    Files.writeString(ctx.resolve("private/key"), HostSentinel.SECRET + "\n");
    Files.createSymbolicLink(ctx.resolve("pub"), Path.of("private"));
    Files.writeString(ctx.resolve("a"), "a\n");
    Files.writeString(ctx.resolve(".dockerignore"), "private\n!../outside-secret\n"
        + "!/../outside-secret\n");
    Built all = build(ctx, "FROM scratch\nCOPY . /all/\n", "COPY . with .dockerignore");
    assertTrue(all.ok(), all.result().stderr());
    assertTrue(Files.exists(all.out().resolve("all/a")));
    for (String instruction : List.of("COPY pub/key /k", "COPY private/key /k")) {
      Built b = build(ctx, "FROM scratch\n" + instruction + "\n", instruction);
      assertFalse(b.ok(), instruction + " found the excluded file");
    }
  }

  /**
   * A {@code .dockerignore} that is a symlink to a host file whose line is not a valid pattern
   * ({@code [canary-secret…}): the link is resolved inside the context (as BuildKit does), so it
   * counts as no ignore file, and the host file's line never shows up in a pattern error.
   */
  @Test
  void dockerignoreSymlinkedToAHostFile_isNotRead() throws Exception {
    Path ctx = context("ignore-link");
    Path bad = host.canary().resolve("bad-pattern");
    Files.writeString(bad, "[" + HostSentinel.SECRET + "\n");
    try {
      Files.createSymbolicLink(ctx.resolve(".dockerignore"), bad);
      Files.writeString(ctx.resolve("a"), "a\n");
      build(ctx, "FROM scratch\nCOPY a /a\n", ".dockerignore -> host file");
    } finally {
      Files.delete(bad);
    }
  }

  /**
   * {@code -f} naming a Dockerfile outside the context (allowed, as with Docker): its COPY reads
   * from the context only, never from the Dockerfile's own directory, where a {@code secret} lies.
   */
  @Test
  void dockerfileOutsideTheContext_stillCopiesFromTheContextOnly() throws Exception {
    Path ctx = context("dockerfile-outside");
    Path elsewhere = Files.createDirectories(ctx.resolveSibling("elsewhere"));
    Files.writeString(elsewhere.resolve("secret"), HostSentinel.SECRET + "\n");
    Files.writeString(elsewhere.resolve("Dockerfile"), "FROM scratch\nCOPY secret /x\n");
    Files.writeString(ctx.resolve("a"), "a\n");
    Built b = build(ctx, null, "-f outside the context",
        "-f", elsewhere.resolve("Dockerfile").toString());
    assertFalse(b.ok(), "COPY read the Dockerfile's directory");
    Files.writeString(elsewhere.resolve("Dockerfile"), "FROM scratch\nCOPY a /a\n");
    assertTrue(build(ctx, null, "-f outside, COPY from the context",
        "-f", elsewhere.resolve("Dockerfile").toString()).ok());
  }

  /**
   * The context's {@code Dockerfile} (or a {@code -f} name) is a symlink to a host file such as
   * the canary secret ({@code /etc/shadow} in a real attack): like BuildKit, the link is resolved
   * inside the Dockerfile's directory, so the build is refused as "no such file" and the file's
   * content never appears in an error message (a parse error would echo its first word).
   */
  @Test
  void dockerfileSymlinkedToAHostFile_isNotRead() throws Exception {
    Path ctx = context("dockerfile-link");
    Files.createSymbolicLink(ctx.resolve("Dockerfile"), host.canary().resolve("secret"));
    Built b = build(ctx, null, "Dockerfile -> host file");
    assertFalse(b.ok());
    Files.createSymbolicLink(ctx.resolve("named.Dockerfile"),
        Path.of(host.climbToCanary() + "/secret"));
    Built named = build(ctx, null, "-f named.Dockerfile -> host file",
        "-f", ctx.resolve("named.Dockerfile").toString());
    assertFalse(named.ok());
  }

  /**
   * A {@code --build-context ext=DIR} directory whose tree links out of it: {@code abs ->
   * /tmp/jbuild-canary-…} and {@code abssecret -> …/secret} (absolute), {@code up ->
   * ../outside-secret}, {@code updir -> ..} and {@code climb -> ../../…/canary} (relative), where
   * {@code outside-secret} is a marker beside DIR. Read by {@code COPY --from=ext} (the whole
   * tree, and through each link) and by {@code RUN --mount=from=ext} (the whole tree read and
   * written through the links, and each link as {@code source=}). Must: the links are copied as
   * links or resolved inside DIR, as for the main context, so neither the canary nor the marker
   * is read or written, and DIR itself is unchanged.
   */
  @Test
  void buildContextDirectory_linksOut_readNothingOutside() throws Exception {
    Path ctx = context("named");
    Path ext = Files.createDirectories(ctx.resolveSibling("ext"));
    Files.writeString(ext.resolve("ok"), "ok\n");
    Files.createSymbolicLink(ext.resolve("abs"), host.canary());
    Files.createSymbolicLink(ext.resolve("abssecret"), host.canary().resolve("secret"));
    Files.createSymbolicLink(ext.resolve("up"), Path.of("../outside-secret"));
    Files.createSymbolicLink(ext.resolve("updir"), Path.of(".."));
    Files.createSymbolicLink(ext.resolve("climb"), Path.of(host.climbToCanary()));
    Map<String, String> extBefore = tree(ext);
    String[] named = {"--build-context", "ext=" + ext};

    Built all = build(ctx, "FROM scratch\nCOPY --from=ext . /all/\n", "COPY --from=ext .", named);
    assertTrue(all.ok(), all.result().stderr());
    assertEquals("ok\n", Files.readString(all.out().resolve("all/ok")));
    assertEquals(Path.of("../outside-secret"), Files.readSymbolicLink(all.out().resolve("all/up")));
    assertEquals(host.canary(), Files.readSymbolicLink(all.out().resolve("all/abs")));
    for (String source : List.of("abs/secret", "abssecret", "up", "updir/outside-secret",
        "climb/secret", "updir/", "abs/")) {
      Built b = build(ctx, "FROM scratch\nCOPY --from=ext " + source + " /x/\n",
          "COPY --from=ext " + source, named);
      assertFalse(b.ok() && Files.exists(b.out().resolve("x/secret")), source);
    }

    jbuild.importBusybox(work, "localbase/busybox:1");
    Built run = build(ctx, "FROM localbase/busybox:1\n"
        + "RUN --mount=from=ext,target=/m,rw sh -c 'for f in abs/secret abssecret up"
        + " updir/outside-secret climb/secret; do cat /m/$f; done > /seen 2>&1;"
        + " echo " + HostSentinel.PWNED + " > /m/abs/" + HostSentinel.PWNED + ";"
        + " echo " + HostSentinel.PWNED + " > /m/up; echo " + HostSentinel.PWNED + " > /m/updir/"
        + HostSentinel.PWNED + "; ls -la /m > /listing; true'\n",
        "RUN --mount=from=ext through its links", named);
    assertTrue(run.ok(), run.result().stderr());
    assertTrue(Files.readString(run.out().resolve("listing")).contains("ok"),
        "the mount did not show DIR");
    for (String source : List.of("abs", "updir", "up", "climb")) {
      build(ctx, "FROM localbase/busybox:1\nRUN --mount=from=ext,source=" + source
          + ",target=/m sh -c 'cat /m /m/secret /m/outside-secret > /seen 2>&1; true'\n",
          "RUN --mount=from=ext,source=" + source, named);
    }
    assertEquals(extBefore, tree(ext), "DIR changed");
    assertEquals(HostSentinel.SECRET + "\n", Files.readString(ctx.resolveSibling("outside-secret")),
        "the marker beside DIR changed");
    try (Stream<Path> beside = Files.list(ctx.getParent())) {
      assertEquals(List.of(), beside.filter(p -> p.getFileName().toString()
          .startsWith(HostSentinel.PWNED)).toList(), "a write through updir landed beside DIR");
    }
  }

  /** Every path below {@code dir} with its link target or file content (directories empty). */
  private static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> out = new java.util.TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        out.put(dir.relativize(p).toString(), Files.isSymbolicLink(p)
            ? "-> " + Files.readSymbolicLink(p)
            : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.readString(p,
                StandardCharsets.ISO_8859_1) : "");
      }
    }
    return out;
  }

  /**
   * A FIFO and a Unix socket in the context: {@code COPY . /x/} and {@code COPY fifo /f} must not
   * block on the FIFO (no writer will ever come); they finish, copying or refusing cleanly.
   * BuildKit skips FIFOs and turns sockets into empty files.
   */
  @Test
  void fifoAndSocketInTheContext_doNotHang() throws Exception {
    Path ctx = context("special");
    Files.writeString(ctx.resolve("a"), "a\n");
    Process mkfifo = new ProcessBuilder("mkfifo", ctx.resolve("fifo").toString()).start();
    assertEquals(0, mkfifo.waitFor());
    try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      socket.bind(UnixDomainSocketAddress.of(ctx.resolve("sock")));
      build(ctx, "FROM scratch\nCOPY . /x/\n", "COPY . with a FIFO and a socket");
      build(ctx, "FROM scratch\nCOPY fifo /f\n", "COPY fifo");
      build(ctx, "FROM scratch\nCOPY sock /s\n", "COPY sock");
    }
  }
}
