package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a build does besides producing files, through the real CLI as root: which steps the cache
 * reuses, cache mounts, secrets, resource limits, network isolation and parallel stages.
 */
@Tag("root")
class BuilderBehaviourTest {
  private static final Pattern STEP = Pattern.compile("^#(\\d+) (\\[.*)$");

  @TempDir static Path work;
  static Jbuild jbuild;

  @BeforeAll
  static void baseImage() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
  }

  private static Path context(String name, String dockerfile) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    Files.writeString(dir.resolve("Dockerfile"), dockerfile);
    return dir;
  }

  /** Labels of the steps the plain progress output marked CACHED, in order. */
  static List<String> cachedSteps(String stderr) {
    List<String> labels = new ArrayList<>();
    java.util.Map<String, String> byNumber = new java.util.HashMap<>();
    for (String line : stderr.split("\n")) {
      Matcher m = STEP.matcher(line);
      if (m.matches()) {
        byNumber.put(m.group(1), m.group(2));
      } else if (line.matches("#\\d+ CACHED")) {
        labels.add(byNumber.get(line.substring(1, line.indexOf(' '))));
      }
    }
    return labels;
  }

  @Test
  void cache_reusesUnchangedStepsAndRebuildsFromTheFirstChange() throws Exception {
    Path ctx = context("cache", "FROM localbase/busybox:1\nCOPY a.txt /a\nRUN cat /a > /b\n"
        + "COPY c.txt /c\nRUN cat /c > /d\n");
    Files.writeString(ctx.resolve("a.txt"), "a");
    Files.writeString(ctx.resolve("c.txt"), "c");
    assertEquals(List.of(), cachedSteps(build(ctx)));
    assertEquals(4, cachedSteps(build(ctx)).size(), "an unchanged rebuild runs nothing");

    Files.writeString(ctx.resolve("c.txt"), "c2");
    assertEquals(List.of("[2/5] COPY a.txt /a", "[3/5] RUN cat /a > /b"), cachedSteps(build(ctx)));

    Files.setLastModifiedTime(ctx.resolve("a.txt"), java.nio.file.attribute.FileTime.fromMillis(0));
    assertEquals(4, cachedSteps(build(ctx)).size(), "mtimes are not part of the cache key");
    assertEquals(List.of(), cachedSteps(build(ctx, "--no-cache")));
  }

  @Test
  void cacheMount_persistsAcrossBuilds() throws Exception {
    Path ctx = context("cachemount", "FROM localbase/busybox:1\n"
        + "RUN --mount=type=cache,target=/var/cache/x echo run >> /var/cache/x/log"
        + " && wc -l < /var/cache/x/log > /count\n");
    build(ctx, "-t", "cachemount:1", "--no-cache");
    build(ctx, "-t", "cachemount:2", "--no-cache");
    assertEquals("2", jbuild.run("run", "--rm", "cachemount:2", "cat", "/count").assertSuccess()
        .stdout().strip());
    Jbuild.Result ls = jbuild.run("run", "--rm", "cachemount:2", "ls", "-A", "/var/cache/x");
    assertEquals("", ls.stdout().strip(), "the cache mount's content must not enter the layer");
  }

  @Test
  void secret_reachesRunButNoLayerHistoryOrLog() throws Exception {
    String token = "tok-" + Long.toHexString(System.nanoTime()) + "-s3cr3t";
    Path secret = work.resolve("secret.txt");
    Files.writeString(secret, token);
    Path ctx = context("secret", "FROM localbase/busybox:1\n"
        + "RUN --mount=type=secret,id=api test \"$(md5sum < /run/secrets/api | cut -c1-32)\" = "
        + md5(token) + " && echo used > /used\n");
    String stderr = build(ctx, "-t", "secret:test", "--secret", "id=api,src=" + secret);
    assertFalse(stderr.contains(token), "secret in the build log");
    Path archive = work.resolve("secret.tar");
    jbuild.run("save", "-o", archive.toString(), "secret:test").assertSuccess();
    assertFalse(contains(archive, token), "secret in the saved image");
    for (List<String> layer : LayerTars.layerEntries(archive)) {
      assertFalse(layer.stream().anyMatch(n -> n.startsWith("run/secrets")), layer.toString());
    }
  }

  @Test
  void secret_valueIsVisibleToTheCommand() throws Exception {
    Path secret = work.resolve("secret2.txt");
    Files.writeString(secret, "abc");
    Path ctx = context("secret2", "FROM localbase/busybox:1\n"
        + "RUN --mount=type=secret,id=s,required=true test \"$(cat /run/secrets/s)\" = abc\n");
    build(ctx, "--secret", "id=s,src=" + secret);
    Jbuild.Result missing = jbuild.run("build", "--no-cache", ctx.toString());
    assertEquals(1, missing.exitCode());
    assertTrue(missing.stderr().contains("secret s: not found"), missing.stderr());
  }

  @Test
  void memoryLimit_turnsAnAllocatingRunIntoAClearOomFailure() throws Exception {
    Path ctx = context("oom", "FROM localbase/busybox:1\n"
        + "RUN x=$(head -c 300000000 /dev/zero | tr '\\000' a); echo ${#x}\n");
    Jbuild.Result r = jbuild.run("build", "--memory", "32m", ctx.toString());
    assertEquals(1, r.exitCode(), r.stderr());
    String last = BuildIntegrationTest.lastLine(r.stderr());
    assertTrue(last.contains("out of memory"), last);
    assertTrue(last.contains("[2/2] RUN"), last);
  }

  @Test
  void networkNone_seesOnlyLoopback() throws Exception {
    Path ctx = context("net", "FROM localbase/busybox:1\n"
        + "RUN cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' > /ifaces\n");
    build(ctx, "-t", "net:test", "--network", "none");
    assertEquals("lo", jbuild.run("run", "--rm", "net:test", "cat", "/ifaces").assertSuccess()
        .stdout().strip());
  }

  @Test
  void independentStages_runAtTheSameTime() throws Exception {
    // busybox date has no %N; /proc/uptime is the host's clock in hundredths of a second.
    String stage = "RUN cut -d' ' -f1 /proc/uptime > /start && sleep 1"
        + " && cut -d' ' -f1 /proc/uptime > /end\n";
    Path ctx = context("parallel", "FROM localbase/busybox:1 AS a\n" + stage
        + "FROM localbase/busybox:1 AS b\n" + stage
        + "FROM localbase/busybox:1\nCOPY --from=a /start /a.start\nCOPY --from=a /end /a.end\n"
        + "COPY --from=b /start /b.start\nCOPY --from=b /end /b.end\n");
    build(ctx, "-t", "parallel:test", "--no-cache");
    String[] t = jbuild.run("run", "--rm", "parallel:test", "cat", "/a.start", "/a.end",
        "/b.start", "/b.end").assertSuccess().stdout().strip().split("\n");
    double aStart = Double.parseDouble(t[0]);
    double aEnd = Double.parseDouble(t[1]);
    double bStart = Double.parseDouble(t[2]);
    double bEnd = Double.parseDouble(t[3]);
    assertTrue(aStart < bEnd && bStart < aEnd,
        "stages a and b did not overlap: a=[" + aStart + "," + aEnd + "] b=[" + bStart + ","
            + bEnd + "]");
  }

  @Test
  void sourceDateEpoch_makesNoCacheBuildsReproducible() throws Exception {
    Path ctx = context("repro", "FROM localbase/busybox:1\nWORKDIR /app\nCOPY f.txt .\n"
        + "RUN echo built > /app/out && mkdir -p /var/x\nENV A=1\nCMD [\"cat\", \"/app/out\"]\n");
    Files.writeString(ctx.resolve("f.txt"), "same content");
    java.util.Map<String, String> env = java.util.Map.of("SOURCE_DATE_EPOCH", "1700000000");
    String first = jbuild.runWithEnv(env, "build", "-q", "--no-cache", ctx.toString())
        .assertSuccess().stdout().strip();
    Thread.sleep(1100);
    Files.setLastModifiedTime(ctx.resolve("f.txt"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
    String second = jbuild.runWithEnv(env, "build", "-q", "--no-cache", ctx.toString())
        .assertSuccess().stdout().strip();
    assertTrue(first.startsWith("sha256:"), first);
    assertEquals(first, second, "two --no-cache builds with SOURCE_DATE_EPOCH differ");
    String third = jbuild.run("build", "-q", "--no-cache", ctx.toString()).assertSuccess()
        .stdout().strip();
    assertTrue(!third.equals(first), "without SOURCE_DATE_EPOCH the times are real");
  }

  private static String build(Path ctx, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("build", "--progress=plain"));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return jbuild.run(args.toArray(new String[0])).assertSuccess().stderr();
  }

  private static String md5(String text) throws Exception {
    byte[] hash = java.security.MessageDigest.getInstance("MD5")
        .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return java.util.HexFormat.of().formatHex(hash);
  }

  private static boolean contains(Path archive, String needle) throws IOException {
    byte[] data = Files.readAllBytes(archive);
    String text = new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
    if (text.contains(needle)) {
      return true;
    }
    for (byte[] layer : LayerTars.uncompressedLayers(archive)) {
      if (new String(layer, java.nio.charset.StandardCharsets.ISO_8859_1).contains(needle)) {
        return true;
      }
    }
    return false;
  }
}
