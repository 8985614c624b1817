package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.registry.testing.LocalRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's "done when": an arm64 busybox base made offline (Debian's busybox-static for arm64)
 * and the amd64 one are pushed as one index to a loopback docker-registry; a Dockerfile with a
 * native {@code FROM --platform=$BUILDPLATFORM} stage and a per-platform RUN ({@code uname -m}) is
 * built for {@code linux/amd64,linux/arm64} and pushed. skopeo sees the index with both
 * platforms, each platform's image has its own {@code uname -m} (arm64's through QEMU user
 * emulation, Debian's qemu-user-static), and the native stage ran once: both images carry the
 * same stamp it wrote. One registry and one base store for the class.
 */
@Tag("root")
class MultiPlatformIntegrationTest {
  private static final String DOCKERFILE = """
      FROM --platform=$BUILDPLATFORM %1$s AS native
      RUN echo "$(date +%%s) $(cat /proc/sys/kernel/random/uuid) $(uname -m)" > /stamp
      FROM %1$s
      ARG TARGETPLATFORM
      ARG TARGETARCH
      ARG BUILDPLATFORM
      COPY --from=native /stamp /stamp
      RUN uname -m > /arch && echo "$TARGETPLATFORM $TARGETARCH $BUILDPLATFORM" > /args
      """;

  @TempDir static Path work;
  private static LocalRegistry registry;
  private static String base;

  @BeforeAll
  static void baseIndex() throws Exception {
    registry = LocalRegistry.start(work.resolve("registry"));
    String host = registry.address();
    base = host + "/base/busybox:multi";
    Path armTar = work.resolve("busybox-arm64.tar");
    Process p = new ProcessBuilder(Jbuild.samplesDir().resolve("base/busybox-rootfs.sh")
        .toString(), armTar.toString(), "arm64").inheritIO().start();
    assertEquals(0, p.waitFor(), "busybox-rootfs.sh arm64 (needs the Debian mirror once)");
    // In process (no CLI JVM per step): import each rootfs into a seed store and push it.
    LayerStore seed = LayerStore.open(work.resolve("seed"));
    ImageTransfer transfer = new ImageTransfer(seed, RegistryOptions.defaults(),
        ProgressListener.NONE);
    List<Descriptor> entries = new ArrayList<>();
    Map<String, Path> tars = Map.of("amd64", Jbuild.busyboxRootfs(), "arm64", armTar);
    for (String arch : List.of("amd64", "arm64")) {
      Platform platform = new Platform(arch, "linux", arch.equals("arm64") ? "v8" : null);
      Image image = new RootfsImporter(seed).importRootfs(tars.get(arch), platform, "busybox");
      transfer.pushManifest(ImageReference.parse(host + "/base/busybox:" + arch),
          image.manifestBytes(), image.manifestDescriptor().mediaType(), Map.of());
      Descriptor m = image.manifestDescriptor();
      entries.add(new Descriptor(m.mediaType(), m.digest(), m.size(), Map.of(), platform));
    }
    // The multi-platform base, as a registry serves it (docker buildx imagetools create would).
    byte[] index = OciJson.toBytes(ImageIndex.oci(entries));
    RegistryClient.create(ImageReference.parse(base), RegistryOptions.defaults())
        .pushManifest("multi", index, MediaTypes.OCI_INDEX);
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private static Jbuild.Result skopeo(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("skopeo"));
    cmd.add(args[0]);
    cmd.add("--tls-verify=false");
    cmd.addAll(List.of(args).subList(1, args.length));
    return Docker.exec(cmd).assertSuccess();
  }

  @Test
  void twoPlatforms_oneIndex_ownUname_nativeStageOnce() throws Exception {
    String image = registry.address() + "/app/multi:1";
    Path context = Files.createDirectories(work.resolve("context"));
    Files.writeString(context.resolve("Dockerfile"), DOCKERFILE.formatted(base));
    Path out = work.resolve("out");
    Jbuild build = new Jbuild(work.resolve("build"));
    Jbuild.Result built = build.run("build", "--progress", "plain", "--platform",
        "linux/amd64,linux/arm64", "-t", image, "--push", "-o", "type=local,dest=" + out,
        "--iidfile", work.resolve("iid").toString(), context.toString()).assertSuccess();

    String raw = skopeo("inspect", "--raw", "docker://" + image).stdout();
    JsonNode index = OciJson.mapper().readTree(raw);
    Map<String, String> platforms = new TreeMap<>();
    for (JsonNode m : index.path("manifests")) {
      platforms.put(m.path("platform").path("architecture").asText(), m.path("digest").asText());
    }
    assertEquals(List.of("amd64", "arm64"), List.copyOf(platforms.keySet()), index.toString());
    assertEquals(Files.readString(work.resolve("iid")),
        Digest.sha256(raw.getBytes(StandardCharsets.UTF_8)).toString(),
        "the pushed index is the stored one");
    JsonNode arm = OciJson.mapper().readTree(skopeo("inspect", "--override-arch", "arm64",
        "docker://" + image).stdout());
    assertEquals("arm64", arm.path("Architecture").asText());

    String amdStamp = Files.readString(out.resolve("linux_amd64/stamp"));
    String armStamp = Files.readString(out.resolve("linux_arm64/stamp"));
    assertEquals("x86_64\n", Files.readString(out.resolve("linux_amd64/arch")));
    assertEquals("aarch64\n", Files.readString(out.resolve("linux_arm64/arch")));
    // The native stage ran once, natively: one stamp (time, random id, machine) in both images.
    assertEquals(amdStamp, armStamp, built.stderr());
    assertTrue(amdStamp.strip().endsWith(" x86_64"), amdStamp);
    assertEquals(1, built.stderr().lines().filter(l -> l.matches("#\\d+ \\[.*\\] RUN echo.*"))
        .count(), built.stderr());
    assertEquals("linux/amd64 amd64 linux/amd64\n",
        Files.readString(out.resolve("linux_amd64/args")));
    assertEquals("linux/arm64 arm64 linux/amd64\n",
        Files.readString(out.resolve("linux_arm64/args")));
  }
}
