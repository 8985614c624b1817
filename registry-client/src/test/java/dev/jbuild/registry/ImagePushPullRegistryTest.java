package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageManifest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.registry.testing.InMemoryBlobSink;
import dev.jbuild.registry.testing.LocalRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImagePusher} and {@link ImagePuller} against a real docker-registry 2.8. */
@Tag("registry")
class ImagePushPullRegistryTest {
  @TempDir static Path directory;
  private static LocalRegistry registry;
  private final Random random = new Random(7);
  private final Map<Digest, byte[]> local = new ConcurrentHashMap<>();
  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final ProgressListener recorder = new ProgressListener() {
    @Override
    public void blobStarted(Descriptor blob) {
      events.add("started " + blob.digest().shortHex());
    }

    @Override
    public void blobSkipped(Descriptor blob) {
      events.add("skipped " + blob.digest().shortHex());
    }

    @Override
    public void blobDone(Descriptor blob) {
      events.add("done " + blob.digest().shortHex());
    }
  };

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = LocalRegistry.start(directory.resolve("registry"));
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private static RegistryOptions options() {
    return RegistryOptions.defaults().withDockerConfigDirectory(null);
  }

  private ImageReference ref(String repositoryAndTag) {
    return ImageReference.parse(registry.address() + "/" + repositoryAndTag);
  }

  private Descriptor blob(String mediaType, byte[] bytes) {
    Digest digest = Digest.sha256(bytes);
    local.put(digest, bytes);
    return Descriptor.of(mediaType, digest, bytes.length);
  }

  private Descriptor randomLayer(int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return blob(MediaTypes.DOCKER_LAYER_GZIP, bytes);
  }

  private BlobSource.Provider provider() {
    return digest -> {
      byte[] bytes = local.get(digest);
      if (bytes == null) {
        throw new IOException("no local blob " + digest);
      }
      return BlobSource.of(bytes);
    };
  }

  private ImageManifest dockerImage(String arch, Descriptor... layers) throws IOException {
    List<String> diffIds = new ArrayList<>();
    for (Descriptor layer : layers) {
      diffIds.add("\"" + InMemoryBlobSink.diffIdOf(local.get(layer.digest())) + "\"");
    }
    return dockerImage(arch, diffIds, layers);
  }

  /** An image whose config lists {@code diffIds} (JSON strings), right or wrong. */
  private ImageManifest dockerImage(String arch, List<String> diffIds, Descriptor... layers) {
    Descriptor config = blob(MediaTypes.DOCKER_CONFIG,
        ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
            + "\"diff_ids\":[" + String.join(",", diffIds) + "]},\"n\":" + random.nextInt() + "}")
            .getBytes(StandardCharsets.UTF_8));
    return ImageManifest.docker(config, List.of(layers));
  }

  @Test
  void push_newImage_uploadsEveryDistinctBlob_thenSkipsThemAll() throws Exception {
    Descriptor big = randomLayer(2 << 20);
    Descriptor small = randomLayer(100);
    ImageManifest manifest = dockerImage("amd64", big, small, big);
    byte[] bytes = OciJson.toBytes(manifest);
    ImagePusher pusher = ImagePusher.create(options(), recorder);

    PushResult first = pusher.push(ref("push/app:v1"), bytes, MediaTypes.DOCKER_MANIFEST,
        provider());
    assertEquals(new PushResult(Digest.sha256(bytes), bytes.length, 3, 0), first);
    assertTrue(events.contains("done " + big.digest().shortHex()), events.toString());

    events.clear();
    PushResult second = pusher.push(ref("push/app:v1"), bytes, MediaTypes.DOCKER_MANIFEST,
        provider());
    assertEquals(new PushResult(Digest.sha256(bytes), bytes.length, 0, 3), second);
    assertEquals(3, events.size(), events.toString());
    assertTrue(events.stream().allMatch(e -> e.startsWith("skipped ")), events.toString());
  }

  @Test
  void pull_byTagAndByDigest_fillsTheSinkWithVerifiedBlobs() throws Exception {
    Descriptor layer1 = randomLayer(300_000);
    Descriptor layer2 = randomLayer(3);
    ImageManifest manifest = dockerImage("amd64", layer1, layer2);
    byte[] bytes = OciJson.toBytes(manifest);
    PushResult pushed = ImagePusher.create(options(), ProgressListener.NONE)
        .push(ref("pull/app:v1"), bytes, MediaTypes.DOCKER_MANIFEST, provider());

    InMemoryBlobSink sink = new InMemoryBlobSink();
    ImagePuller puller = ImagePuller.create(options(), recorder);
    PullResult result = puller.pull(ref("pull/app:v1"), Platform.parse("linux/amd64"), sink);

    assertEquals(pushed.digest(), result.manifestDigest());
    assertArrayEquals(bytes, result.manifestBytes());
    assertEquals(MediaTypes.DOCKER_MANIFEST, result.mediaType());
    assertEquals(manifest, result.manifest());
    assertArrayEquals(local.get(manifest.config().digest()), result.configBytes());
    assertNull(result.indexDigest());
    assertEquals(3, result.blobsPulled());
    assertEquals(3, sink.size());
    for (Descriptor d : List.of(layer1, layer2, manifest.config())) {
      assertArrayEquals(local.get(d.digest()), sink.get(d.digest()));
    }

    PullResult again = puller.pull(
        ImageReference.parse(registry.address() + "/pull/app@" + pushed.digest()),
        Platform.parse("linux/amd64"), sink);
    assertEquals(pushed.digest(), again.manifestDigest());
    assertEquals(0, again.blobsPulled());
    assertEquals(3, again.blobsSkipped());
    assertEquals(0, sink.discarded());
  }

  @Test
  void pushAndPull_multiPlatformIndex_selectsThePlatform() throws Exception {
    ImageManifest amd64 = dockerImage("amd64", randomLayer(1000));
    ImageManifest arm64 = dockerImage("arm64", randomLayer(1000));
    byte[] amd64Bytes = OciJson.toBytes(amd64);
    byte[] arm64Bytes = OciJson.toBytes(arm64);
    Descriptor amd64Desc = withPlatform(blob(MediaTypes.DOCKER_MANIFEST, amd64Bytes),
        new Platform("amd64", "linux", null));
    Descriptor arm64Desc = withPlatform(blob(MediaTypes.DOCKER_MANIFEST, arm64Bytes),
        new Platform("arm64", "linux", "v8"));
    ImageIndex index = new ImageIndex(2, MediaTypes.DOCKER_MANIFEST_LIST,
        List.of(amd64Desc, arm64Desc), Map.of());
    byte[] indexBytes = OciJson.toBytes(index);

    PushResult pushed = ImagePusher.create(options(), ProgressListener.NONE)
        .push(ref("multi/app:v1"), indexBytes, MediaTypes.DOCKER_MANIFEST_LIST, provider());
    assertEquals(Digest.sha256(indexBytes), pushed.digest());
    assertEquals(4, pushed.blobsUploaded());

    ImagePuller puller = ImagePuller.create(options(), ProgressListener.NONE);
    PullResult arm = puller.pull(ref("multi/app:v1"), Platform.parse("linux/arm64"),
        new InMemoryBlobSink());
    assertEquals(arm64Desc.digest(), arm.manifestDigest());
    assertEquals(pushed.digest(), arm.indexDigest());
    assertArrayEquals(arm64Bytes, arm.manifestBytes());

    RegistryException e = assertThrows(RegistryException.class, () -> puller.pull(
        ref("multi/app:v1"), Platform.parse("linux/s390x"), new InMemoryBlobSink()));
    assertEquals("Tried to pull " + registry.address() + "/multi/app:v1 for platform linux/s390x"
        + " but failed because: the image has no variant for linux/s390x (it has linux/amd64,"
        + " linux/arm64/v8)", e.getMessage());
  }

  private static Descriptor withPlatform(Descriptor d, Platform platform) {
    return new Descriptor(d.mediaType(), d.digest(), d.size(), Map.of(), platform);
  }

  @Test
  void pull_layerWithWrongSizeInManifest_discardsTheWriteAndFails() throws Exception {
    Descriptor layer = randomLayer(500);
    Descriptor lying = Descriptor.of(layer.mediaType(), layer.digest(), 499);
    ImageManifest manifest = dockerImage("amd64", lying);
    byte[] bytes = OciJson.toBytes(manifest);
    // Upload the real blob first: the pusher then finds it present and pushes the lying manifest
    // (it would refuse to upload 500 bytes declared as 499).
    RegistryClient.create(registry.address(), "corrupt/app", options())
        .pushBlob(layer.digest(), layer.size(), BlobSource.of(local.get(layer.digest())));
    ImagePusher.create(options(), ProgressListener.NONE)
        .push(ref("corrupt/app:v1"), bytes, MediaTypes.DOCKER_MANIFEST, provider());

    InMemoryBlobSink sink = new InMemoryBlobSink();
    assertThrows(ContentVerificationException.class, () -> ImagePuller
        .create(options(), ProgressListener.NONE)
        .pull(ref("corrupt/app:v1"), Platform.parse("linux/amd64"), sink));
    assertNull(sink.get(layer.digest()));
    // Downloaded once: the registry would send the same wrong bytes again (issue #10 item 5).
    assertEquals(1, sink.discarded());
  }

  /**
   * Issue #10 item 4: a layer whose uncompressed content does not match the config's
   * rootfs.diff_ids (here: the right blob, a config naming another tar's DiffID) is refused with
   * one line naming image, layer, expected and actual DiffID, whether the layer is downloaded or
   * already present.
   */
  @Test
  void pull_layerNotMatchingDiffIds_isRefused() throws Exception {
    byte[] tar = randomTar("the real file");
    Descriptor layer = blob(MediaTypes.DOCKER_LAYER_GZIP, gzip(tar));
    Digest claimed = Digest.sha256(randomTar("what the config promises"));
    ImageManifest manifest = dockerImage("amd64", List.of("\"" + claimed + "\""), layer);
    ImagePusher.create(options(), ProgressListener.NONE).push(ref("evil/diffid:v1"),
        OciJson.toBytes(manifest), MediaTypes.DOCKER_MANIFEST, provider());

    InMemoryBlobSink sink = new InMemoryBlobSink();
    for (int attempt = 0; attempt < 2; attempt++) { // downloaded, then already in the sink
      ContentVerificationException e = assertThrows(ContentVerificationException.class,
          () -> ImagePuller.create(options(), ProgressListener.NONE)
              .pull(ref("evil/diffid:v1"), Platform.parse("linux/amd64"), sink));
      assertEquals("Tried to pull " + registry.address() + "/evil/diffid:v1 but failed because:"
          + " layer " + layer.digest() + " has DiffID " + Digest.sha256(tar) + " but the image"
          + " config's rootfs.diff_ids says " + claimed, e.getMessage());
    }

    ImageManifest missing = dockerImage("amd64", List.of(), layer);
    ImagePusher.create(options(), ProgressListener.NONE).push(ref("evil/diffid:v2"),
        OciJson.toBytes(missing), MediaTypes.DOCKER_MANIFEST, provider());
    ContentVerificationException e = assertThrows(ContentVerificationException.class,
        () -> ImagePuller.create(options(), ProgressListener.NONE)
            .pull(ref("evil/diffid:v2"), Platform.parse("linux/amd64"), new InMemoryBlobSink()));
    assertTrue(e.getMessage().endsWith("its manifest lists 1 layers but its config's"
        + " rootfs.diff_ids lists 0"), e.getMessage());
  }

  /** A one-file tar (ustar, written by hand: the test must not depend on the code under test). */
  private byte[] randomTar(String content) {
    byte[] data = (content + random.nextLong()).getBytes(StandardCharsets.UTF_8);
    byte[] header = new byte[512];
    put(header, 0, "file.txt");
    put(header, 100, "0000644");
    put(header, 108, "0000000");
    put(header, 116, "0000000");
    put(header, 124, String.format("%011o", data.length));
    put(header, 136, "00000000000");
    header[156] = '0';
    put(header, 257, "ustar");
    put(header, 263, "00");
    java.util.Arrays.fill(header, 148, 156, (byte) ' ');
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
    int padded = (data.length + 511) / 512 * 512;
    byte[] tar = new byte[512 + padded + 1024];
    System.arraycopy(header, 0, tar, 0, 512);
    System.arraycopy(data, 0, tar, 512, data.length);
    return tar;
  }

  private static void put(byte[] header, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, header, offset, bytes.length);
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  @Test
  void pull_missingTag_saysManifestUnknown() {
    ManifestUnknownException e = assertThrows(ManifestUnknownException.class,
        () -> ImagePuller.create(options(), ProgressListener.NONE)
            .pull(ref("nothing/here:v9"), Platform.host(), new InMemoryBlobSink()));
    assertTrue(e.getMessage().endsWith("nothing/here:v9 but failed because: MANIFEST_UNKNOWN:"
        + " manifest unknown"), e.getMessage());
  }

  @Test
  void push_skopeoSeesThePushedDigest() throws Exception {
    Path skopeo = Path.of("/usr/bin/skopeo");
    if (!Files.isExecutable(skopeo)) {
      return; // skopeo is an optional oracle; the round trips above cover the protocol.
    }
    ImageManifest manifest = dockerImage("amd64", randomLayer(4096));
    byte[] bytes = OciJson.toBytes(manifest);
    PushResult pushed = ImagePusher.create(options(), ProgressListener.NONE)
        .push(ref("skopeo/app:v1"), bytes, MediaTypes.DOCKER_MANIFEST, provider());

    Process process = new ProcessBuilder(skopeo.toString(), "--insecure-policy", "inspect",
        "--tls-verify=false", "--format", "{{.Digest}}",
        "docker://" + registry.address() + "/skopeo/app:v1")
        .redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), out);
    assertEquals(pushed.digest().toString(), out.trim());
  }
}
