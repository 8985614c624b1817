package dev.jbuild.samples.attack;

import static dev.jbuild.samples.attack.Attacks.build;
import static dev.jbuild.samples.attack.Attacks.succeededOrRefusedCleanly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.registry.testing.LocalRegistry;
import dev.jbuild.samples.Jbuild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malicious layers delivered through every door of the real {@code jbuild} CLI: {@code jbuild
 * load} of a docker archive and of an OCI layout, {@code jbuild pull} from a real docker-registry
 * on 127.0.0.1, {@code ADD evil.tar /} from a build context, and the loaded images used as
 * {@code FROM <evil>} + RUN and as {@code COPY --from=<evil>}. Each layer is crafted byte by byte
 * ({@link EvilTar}) on top of a busybox base layer.
 *
 * <p>Layers that probe one rule of the extractor go through {@link Door#EXTRACTORS} (a docker
 * archive, then FROM + RUN and ADD: both extraction modes); the others through every door.
 * Every door must either refuse with one clear {@code error:} line or give a safe result (what
 * lands, lands inside the image, as with Docker's ADD). In every case the host's canary directory,
 * {@code /etc/shadow} and the {@code /}, {@code /tmp}, {@code /etc} listings stay as they were,
 * nothing stays mounted, and {@code jbuild verify} is clean afterwards. Needs root (overlayfs,
 * namespaces); runs in CI.
 */
@Tag("root")
class MaliciousLayerAttackTest {
  private static final String BASE = "localbase/busybox:1";

  @TempDir static Path work;
  static Jbuild jbuild;
  static LocalRegistry registry;
  static HostSentinel host;
  static byte[] baseLayer;

  @BeforeAll
  static void setUp() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, BASE);
    baseLayer = Files.readAllBytes(work.resolve("busybox-rootfs.tar"));
    registry = LocalRegistry.start(work.resolve("registry"));
    host = HostSentinel.create();
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      if (registry != null) {
        registry.close();
      }
    } finally {
      if (host != null) {
        host.close();
      }
    }
  }

  /** The ways a layer gets in; {@link #EXTRACTORS} covers both extraction modes cheaply. */
  enum Door {
    LOAD_DOCKER, LOAD_OCI, PULL, FROM_RUN, FROM_PULLED_RUN, COPY_FROM, ADD;

    static final Set<Door> ALL = EnumSet.allOf(Door.class);
    /** Snapshot (overlay form) extraction via FROM + RUN, and ADD's flattening extraction. */
    static final Set<Door> EXTRACTORS = EnumSet.of(LOAD_DOCKER, FROM_RUN, ADD);
  }

  /** Which doors accepted the layer; a door absent from it refused cleanly or was not tried. */
  record Outcome(Set<Door> accepted) {
    /** True when no door let the layer all the way into a built or run image. */
    boolean refusedEverywhere() {
      return Collections.disjoint(accepted,
          EnumSet.of(Door.FROM_RUN, Door.FROM_PULLED_RUN, Door.COPY_FROM, Door.ADD));
    }

    /** True when neither load nor pull stored and tagged the image (as {@code docker load}). */
    boolean refusedBeforeTagging() {
      return Collections.disjoint(accepted, EnumSet.of(Door.LOAD_DOCKER, Door.LOAD_OCI,
          Door.PULL));
    }
  }

  /**
   * Sends {@code layer} through {@code doors}, checking after all of them that the host is
   * untouched, nothing is mounted under the store and the store verifies. Each door either
   * succeeds or fails with a clean one-line refusal ({@link Attacks#succeededOrRefusedCleanly}).
   */
  private Outcome deliver(String name, EvilTar layer, Set<Door> doors)
      throws IOException, InterruptedException {
    Map<String, String> before = host.state();
    Path dir = Files.createDirectories(work.resolve("cases").resolve(name));
    byte[] evil = layer.bytes();
    EvilImage image = new EvilImage(List.of(baseLayer, evil));
    Set<Door> accepted = EnumSet.noneOf(Door.class);

    String dockerRef = "evil/" + name + ":docker";
    Path docker = dir.resolve("docker.tar");
    Files.write(docker, image.dockerArchive(dockerRef));
    if (succeededOrRefusedCleanly(jbuild.run("load", "-i", docker.toString()),
        name + " via load (docker archive)")) {
      accepted.add(Door.LOAD_DOCKER);
    }
    String ociRef = "evil/" + name + ":oci";
    if (doors.contains(Door.LOAD_OCI)) {
      Path oci = dir.resolve("oci.tar");
      Files.write(oci, image.ociArchive("docker.io/" + ociRef));
      door(accepted, Door.LOAD_OCI, jbuild.run("load", "-i", oci.toString()),
          name + " via load (OCI layout)");
    }
    String pulledRef = registry.address() + "/evil/" + name + ":1";
    if (doors.contains(Door.PULL)) {
      image.push(registry.address(), "evil/" + name, "1");
      door(accepted, Door.PULL, jbuild.run("pull", pulledRef), name + " via pull");
    }

    String probe = "RUN ls -la / >/dev/null\n";
    if (doors.contains(Door.FROM_RUN) && accepted.contains(Door.LOAD_DOCKER)) {
      door(accepted, Door.FROM_RUN, build(jbuild, dir.resolve("from"), "FROM " + dockerRef
          + "\n" + probe, "evil-built/" + name + ":from"), name + " via FROM (loaded) + RUN");
    }
    if (doors.contains(Door.FROM_PULLED_RUN) && accepted.contains(Door.PULL)) {
      door(accepted, Door.FROM_PULLED_RUN, build(jbuild, dir.resolve("from-pulled"),
          "FROM " + pulledRef + "\n" + probe, "evil-built/" + name + ":pulled"),
          name + " via FROM (pulled) + RUN");
    }
    if (doors.contains(Door.COPY_FROM) && accepted.contains(Door.LOAD_OCI)) {
      door(accepted, Door.COPY_FROM, build(jbuild, dir.resolve("copy-from"), "FROM " + BASE
          + "\nCOPY --from=" + ociRef + " / /evil/\n" + probe, "evil-built/" + name + ":copy"),
          name + " via COPY --from");
    }
    if (doors.contains(Door.ADD)) {
      Path context = Files.createDirectories(dir.resolve("add"));
      Files.write(context.resolve("evil.tar"), evil);
      door(accepted, Door.ADD, build(jbuild, context, "FROM " + BASE + "\nADD evil.tar /\n"
          + probe, "evil-built/" + name + ":add"), name + " via ADD");
    }

    host.assertUntouched(before, name);
    HostSentinel.assertNothingMounted(jbuild.root(), name);
    Attacks.assertStoreVerifies(jbuild, name);
    return new Outcome(accepted);
  }

  private static void door(Set<Door> accepted, Door door, Jbuild.Result result, String what) {
    if (succeededOrRefusedCleanly(result, what)) {
      accepted.add(door);
    }
  }

  /**
   * A file named {@code ../../…/tmp/jbuild-canary-*}{@code /pwned}: must be refused by every door
   * (Docker refuses such layers too), load and pull before anything is tagged; nothing appears in
   * the canary.
   */
  @Test
  void dotDotTraversal_isRefused() throws Exception {
    Outcome o = deliver("dotdot", new EvilTar().file(host.climbToCanary() + "/pwned-dotdot", "x"),
        Door.ALL);
    assertTrue(o.refusedEverywhere(), o.toString());
    assertTrue(o.refusedBeforeTagging(), o.toString());
  }

  /**
   * An absolute name {@code /tmp/jbuild-canary-*}{@code /pwned}: refused, or (as Docker does)
   * taken as relative to the image root; never written on the host.
   */
  @Test
  void absoluteName_staysInside() throws Exception {
    deliver("absolute", new EvilTar().file("/" + host.canaryRelative() + "/pwned-abs", "x"),
        Door.EXTRACTORS);
  }

  /**
   * A symlink {@code up -> ../../..} (climbing out of the root) and then a file written through
   * it: refused by every door, the canary untouched.
   */
  @Test
  void symlinkClimbingOut_thenWriteThroughIt_isRefused() throws Exception {
    Outcome o = deliver("symlink-up", new EvilTar().symlink("up", "../".repeat(40))
        .file("up/" + host.canaryRelative() + "/pwned-up", "x"), Door.ALL);
    assertTrue(o.refusedEverywhere(), o.toString());
  }

  /**
   * A symlink {@code root -> /} and one {@code canary -> /tmp/jbuild-canary-*}, then files written
   * through them: an absolute target means the image's own root, so the files land inside the
   * image (as with Docker) or the layer is refused; the host's canary never sees them.
   */
  @Test
  void absoluteSymlinks_thenWriteThroughThem_stayInside() throws Exception {
    deliver("symlink-root", new EvilTar().symlink("root", "/")
        .file("root/" + host.canaryRelative() + "/pwned-root", "x")
        .symlink("canary", host.canary().toString())
        .file("canary/pwned-canary", "x")
        .file("canary/secret", "overwritten"), Door.EXTRACTORS);
  }

  /**
   * Hardlinks to host files: {@code shadow => /etc/shadow} (absent from the image) and {@code h =>
   * ../../…/canary/secret}: refused by every door; the host files' link counts do not change.
   */
  @Test
  void hardlinksToHostFiles_areRefused() throws Exception {
    Outcome shadow = deliver("hardlink-shadow", new EvilTar().hardlink("shadow", "/etc/shadow"),
        Door.EXTRACTORS);
    assertTrue(shadow.refusedEverywhere(), shadow.toString());
    Outcome climb = deliver("hardlink-climb",
        new EvilTar().hardlink("h", host.climbToCanary() + "/secret"), Door.ALL);
    assertTrue(climb.refusedEverywhere(), climb.toString());
    assertTrue(climb.refusedBeforeTagging(), climb.toString());
  }

  /**
   * Whiteouts that try to delete outside the root: {@code .wh...} (whiting out {@code ..}), {@code
   * ../../…/canary/.wh.secret}, and an opaque marker {@code .wh..wh..opq} behind a symlink that
   * climbs into the canary (which ADD's flattening would turn into "delete every child"). The
   * canary keeps all its files.
   */
  @Test
  void whiteoutsEscapingTheRoot_deleteNothingOutside() throws Exception {
    deliver("wh-dotdot", new EvilTar().file(".wh...", ""), Door.EXTRACTORS);
    Outcome climb = deliver("wh-climb",
        new EvilTar().file(host.climbToCanary() + "/.wh.secret", ""), Door.EXTRACTORS);
    assertTrue(climb.refusedEverywhere(), climb.toString());
    assertTrue(climb.refusedBeforeTagging(), climb.toString());
    Outcome opaque = deliver("wh-opaque", new EvilTar().symlink("s", host.climbToCanary())
        .file("s/.wh..wh..opq", "").file("s/dir/.wh.keep", ""), Door.ALL);
    assertTrue(opaque.refusedEverywhere(), opaque.toString());
  }

  /**
   * Device nodes in a layer ({@code /dev/mem}'s 1:1 and {@code /dev/sda}'s 8:0 under other names):
   * whatever a door does with them, nothing on the host changes and nothing stays mounted.
   */
  @Test
  void deviceNodes_touchNothingOnTheHost() throws Exception {
    deliver("devices", new EvilTar().charDevice("pwned-mem", 1, 1)
        .file("dev-placeholder", "x"), Door.ALL);
  }

  /** A setuid-root file in a layer: contained like any file, the host unchanged. */
  @Test
  void setuidFile_isContained() throws Exception {
    deliver("setuid", new EvilTar().file("pwned-suid", "#!/bin/sh\nid\n", 04755),
        Door.EXTRACTORS);
  }

  /**
   * Overlay xattrs from the tar ({@code trusted.overlay.opaque=y} on {@code bin/} would hide the
   * base layer's shell, {@code trusted.overlay.redirect} on {@code etc/} would point overlayfs at
   * another path): they must be ignored, so FROM + RUN, COPY --from and ADD all still work.
   */
  @Test
  void overlayXattrs_areIgnored() throws Exception {
    Outcome o = deliver("xattrs", new EvilTar()
        .pax("SCHILY.xattr.trusted.overlay.opaque", "y").dir("bin/")
        .pax("SCHILY.xattr.user.overlay.opaque", "y").dir("root/")
        .pax("SCHILY.xattr.trusted.overlay.redirect", "/" + host.canaryRelative()).dir("etc/"),
        Door.ALL);
    assertEquals(Door.ALL, o.accepted());
  }

  /**
   * PAX records overriding harmless ustar fields: {@code path=../../…/pwned} on a file named
   * {@code harmless}, and {@code linkpath=../../…/secret} on a hardlink: refused everywhere.
   */
  @Test
  void paxOverrides_areCheckedLikeNames() throws Exception {
    Outcome path = deliver("pax-path", new EvilTar()
        .pax("path", host.climbToCanary() + "/pwned-pax").file("harmless", "x"), Door.ALL);
    assertTrue(path.refusedEverywhere(), path.toString());
    Outcome link = deliver("pax-linkpath", new EvilTar()
        .pax("linkpath", host.climbToCanary() + "/secret").hardlink("harmless", "harmless"),
        Door.EXTRACTORS);
    assertTrue(link.refusedEverywhere(), link.toString());
  }

  /**
   * A directory {@code d/} with a file, then a second entry {@code d} replacing it by a symlink
   * that climbs into the canary, then {@code d/pwned}: refused everywhere, nothing written through.
   */
  @Test
  void duplicateEntry_replacingDirectoryBySymlink_isRefused() throws Exception {
    Outcome o = deliver("dup-dir-symlink", new EvilTar().dir("d/").file("d/a", "a")
        .symlink("d", host.climbToCanary()).file("d/pwned-dup", "x"), Door.EXTRACTORS);
    assertTrue(o.refusedEverywhere(), o.toString());
  }

  /**
   * Names hiding NUL bytes: a ustar name {@code pwned-nul\0/../../…} (readers stop at the NUL)
   * and
   * a PAX path with a NUL inside: refused cleanly or read up to the NUL, never a crash.
   */
  @Test
  void namesWithNulBytes_areContained() throws Exception {
    deliver("nul-ustar", new EvilTar().fileRawName(("pwned-nul\0/" + host.climbToCanary()
        + "/pwned-nul").getBytes(StandardCharsets.UTF_8), "x"), Door.EXTRACTORS);
    deliver("nul-pax", new EvilTar().pax("path", "pwned-nul\0" + host.climbToCanary()
        + "/pwned-nul").file("harmless", "x"), Door.ALL);
  }

  /**
   * Entry names carrying terminal escape sequences (an OSC that sets the window title, a CSI that
   * clears the screen) and a {@code ..} so that the layer is refused: the refusal must show the
   * name escaped, never send the raw escapes to the user's terminal.
   */
  @Test
  void terminalEscapesInNames_areNotEchoedRaw() throws Exception {
    Outcome o = deliver("escapes", new EvilTar().file("\u001b]2;pwned-title\u0007\u001b[2J\u009b1m/"
        + host.climbToCanary() + "/pwned-esc", "x"), Door.EXTRACTORS);
    assertTrue(o.refusedEverywhere(), o.toString());
  }

  /**
   * An image whose legitimate symlinks point out of its root ({@code up -> ../../…/canary}, {@code
   * abs -> /tmp/jbuild-canary-*}) used as a destination and as a source: {@code COPY a
   * /up/pwned}, {@code WORKDIR /up} + {@code COPY a .}, {@code ADD x.tar /abs/}, and {@code COPY
   * --from=<evil> /up/secret} and {@code /abs/} must resolve the links inside the image's root
   * (refused, or written and read there), never in the host's; no secret reaches the result.
   */
  @Test
  void outwardSymlinksInAnImage_areResolvedInsideIt() throws Exception {
    Outcome o = deliver("outward", new EvilTar().symlink("up", host.climbToCanary())
        .symlink("abs", host.canary().toString()), EnumSet.of(Door.LOAD_DOCKER, Door.FROM_RUN));
    assertEquals(EnumSet.of(Door.LOAD_DOCKER, Door.FROM_RUN), o.accepted());
    Map<String, String> before = host.state();
    Path ctx = Files.createDirectories(work.resolve("cases/outward/ctx"));
    Files.writeString(ctx.resolve("a"), "a\n");
    Files.write(ctx.resolve("x.tar"), new EvilTar().file("pwned-add", "x").bytes());
    String evil = "FROM evil/outward:docker\n";
    String base = "FROM " + BASE + "\n";
    for (String steps : List.of(evil + "COPY a /up/pwned-copy\n",
        evil + "COPY a /abs/pwned-copy\n",
        evil + "WORKDIR /up\nCOPY a pwned-workdir\n", evil + "ADD x.tar /abs/\n",
        evil + "ADD x.tar /up/\n", base + "COPY --from=evil/outward:docker /up/secret /x\n",
        base + "COPY --from=evil/outward:docker /abs/ /x/\n")) {
      Files.writeString(ctx.resolve("Dockerfile"), steps);
      Path out = work.resolve("cases/outward/out-" + Integer.toHexString(steps.hashCode()));
      Jbuild.Result r = jbuild.run("build", "--progress=plain", "-o", "type=local,dest=" + out,
          ctx.toString());
      succeededOrRefusedCleanly(r, steps.replace('\n', ';'));
      assertFalse(Files.exists(out) && secretIn(out), steps + ": the host secret was copied");
      host.assertUntouched(before, steps);
    }
    HostSentinel.assertNothingMounted(jbuild.root(), "outward");
  }

  private static boolean secretIn(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) < 4096
            && Files.readString(p, StandardCharsets.ISO_8859_1).contains(HostSentinel.SECRET)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A GNU sparse file claiming 1 TiB with 4 bytes of data: the layer is a few blocks, and loading,
   * pulling and running it stays cheap (the store stays small: holes are not written out). ADD and
   * COPY --from are skipped: copying a 1 TiB file into a new layer is what Docker does too.
   */
  @Test
  void hugeSparseFile_costsLittle() throws Exception {
    Outcome o = deliver("sparse", new EvilTar().sparse("huge", 1L << 40,
        "end\n".getBytes(StandardCharsets.US_ASCII)),
        EnumSet.of(Door.LOAD_DOCKER, Door.PULL, Door.FROM_RUN, Door.FROM_PULLED_RUN));
    assertEquals(EnumSet.of(Door.LOAD_DOCKER, Door.PULL, Door.FROM_RUN, Door.FROM_PULLED_RUN),
        o.accepted());
    long used = diskUsageKiB(jbuild.root());
    assertFalse(used > 512 * 1024, "store uses " + used + " KiB after a sparse layer");
  }

  private static long diskUsageKiB(Path dir) throws IOException, InterruptedException {
    Process du = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true)
        .start();
    String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    du.waitFor();
    return Long.parseLong(out.trim().split("\\s+")[0]);
  }
}
