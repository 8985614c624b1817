package dev.jbuild.samples.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.samples.Jbuild;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10 item 1 through the real {@code jbuild} CLI: RUN steps and {@code jbuild run} keep
 * CAP_MKNOD (as in Docker), so only the device policy stands between them and the host's block
 * devices. The "host disk" is a real loop device over a temp file of known content, detached
 * afterwards. Needs root and loop devices.
 */
@Tag("root")
class DeviceAttackTest {
  /** What the loop device holds; it must never show up in jbuild's output. */
  private static final String SECRET = "DEVSECRET";

  @TempDir static Path work;
  static Jbuild jbuild;
  static Path backing;
  static String loopDevice;
  static String major;
  static String minor;

  @BeforeAll
  static void setUp() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/dev/loop-control")), "needs loop devices");
    backing = work.resolve("disk.img");
    // 64 KiB exactly: a loop device ignores a partial last sector.
    Files.writeString(backing, (SECRET + "-").repeat(6553) + "012345", StandardCharsets.US_ASCII);
    loopDevice = exec("losetup", "-f", "--show", backing.toString()).trim();
    String[] mm = Files.readString(Path.of("/sys/class/block",
        Path.of(loopDevice).getFileName().toString(), "dev")).trim().split(":");
    major = mm[0];
    minor = mm[1];
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (loopDevice != null) {
      exec("losetup", "-d", loopDevice);
    }
  }

  /**
   * Attack: a Dockerfile step creates a node for the host's disk and reads it ({@code RUN mknod
   * /b b 7 N && head -c 9 /b}). The mknod itself is allowed (as in Docker), but opening the node
   * must fail with "Operation not permitted", so the build fails without printing the disk.
   */
  @Test
  void buildStep_mknodOfTheHostDisk_cannotReadIt() throws Exception {
    Path ctx = Files.createDirectories(work.resolve("ctx-mknod"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        + "RUN mknod /b b " + major + " " + minor + " && head -c 9 /b\n");
    Jbuild.Result build = jbuild.run("build", "--progress=plain", "-t", "attack/mknod",
        ctx.toString());
    String output = build.stdout() + build.stderr();
    assertNotEquals(0, build.exitCode(), output);
    assertFalse(output.contains(SECRET), output);
    assertTrue(output.contains("Operation not permitted"), output);
  }

  /**
   * Attack: an untrusted archive already contains a block node {@code /hostdisk} for the host's
   * disk; {@code jbuild load} it, then {@code jbuild run img head -c 40 /hostdisk} and a write
   * through it. Both must fail; nothing of the disk is printed and the disk is unchanged, while
   * the image's {@code /devnull} (c 1:3) still works.
   */
  @Test
  void loadedImage_withABlockNode_cannotReadOrWriteTheHostDisk() throws Exception {
    Path archive = craftedArchive(work.resolve("hostdisk.tar"));
    jbuild.run("load", "-i", archive.toString()).assertSuccess();

    Jbuild.Result read = jbuild.run("run", "--rm", "--network", "none", "attack/hostdisk:1",
        "head", "-c", "40", "/hostdisk");
    assertNotEquals(0, read.exitCode(), read.stdout());
    assertFalse((read.stdout() + read.stderr()).contains(SECRET), read.stdout() + read.stderr());

    Jbuild.Result write = jbuild.run("run", "--rm", "--network", "none", "attack/hostdisk:1",
        "sh", "-c", "printf PWNED > /hostdisk");
    assertNotEquals(0, write.exitCode(), write.stdout());
    assertTrue(Files.readString(backing).startsWith(SECRET + "-"), "the disk was written");

    // The policy is per device: the image's harmless character node still works.
    jbuild.run("run", "--rm", "--network", "none", "attack/hostdisk:1", "sh", "-c",
        "echo x > /devnull").assertSuccess();
  }

  /**
   * Not an attack: an image whose build step creates /dev/null-style character devices, and a
   * container using them and the default devices, must keep working under the policy.
   */
  @Test
  void imageWithCharDevices_stillWorks() throws Exception {
    Path ctx = Files.createDirectories(work.resolve("ctx-chardev"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        + "RUN mknod -m 666 /mynull c 1 3 && mknod -m 444 /myzero c 1 5"
        + " && echo gone > /mynull && head -c 2 /myzero | wc -c\n");
    jbuild.run("build", "-t", "attack/chardev", ctx.toString()).assertSuccess();
    Jbuild.Result run = jbuild.run("run", "--rm", "--network", "none", "attack/chardev",
        "sh", "-c", "echo gone > /mynull && cat /mynull && head -c 3 /myzero | wc -c"
            + " && head -c 4 /dev/urandom | wc -c && echo x > /dev/null && exec 3<>/dev/ptmx"
            + " && echo ok");
    assertEquals(0, run.exitCode(), run.stderr());
    assertEquals("3\n4\nok\n", run.stdout().replace(" ", ""), run.stderr());
  }

  /**
   * A docker-archive ({@code manifest.json}, config, {@code <diffid>.tar} layers) of the busybox
   * base plus one layer holding {@code /hostdisk}, a block node for the loop device, world
   * read-writable, and a harmless {@code /devnull} character node.
   */
  private static Path craftedArchive(Path out) throws IOException, NoSuchAlgorithmException {
    byte[] base = Files.readAllBytes(work.resolve("busybox-rootfs.tar"));
    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(layer)) {
      tar.putArchiveEntry(node("hostdisk", TarConstants.LF_BLK, major, minor));
      tar.closeArchiveEntry();
      tar.putArchiveEntry(node("devnull", TarConstants.LF_CHR, "1", "3"));
      tar.closeArchiveEntry();
    }
    byte[] evil = layer.toByteArray();
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = json.createObjectNode();
    config.put("architecture", "amd64").put("os", "linux");
    config.putObject("config").putArray("Env")
        .add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
    rootfs.putArray("diff_ids").add("sha256:" + sha256(base)).add("sha256:" + sha256(evil));
    byte[] configBytes = json.writeValueAsBytes(config);
    ObjectNode item = json.createObjectNode();
    item.put("Config", sha256(configBytes) + ".json");
    item.putArray("RepoTags").add("attack/hostdisk:1");
    item.putArray("Layers").add(sha256(base) + ".tar").add(sha256(evil) + ".tar");
    byte[] manifest = json.writeValueAsBytes(json.createArrayNode().add(item));
    try (OutputStream file = Files.newOutputStream(out);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
      file(tar, sha256(base) + ".tar", base);
      file(tar, sha256(evil) + ".tar", evil);
      file(tar, sha256(configBytes) + ".json", configBytes);
      file(tar, "manifest.json", manifest);
    }
    return out;
  }

  private static TarArchiveEntry node(String name, byte type, String major, String minor) {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setMode(0666);
    e.setDevMajor(Integer.parseInt(major));
    e.setDevMinor(Integer.parseInt(minor));
    return e;
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] content)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    e.setMode(0644);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static String exec(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).start();
    // Outputs are a line or two, so reading one pipe after the other cannot block.
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + out + err);
    }
    return out;
  }
}
