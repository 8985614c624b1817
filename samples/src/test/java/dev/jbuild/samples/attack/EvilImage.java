package dev.jbuild.samples.attack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * An image made of given uncompressed layer tars (a base layer, then the malicious one), packaged
 * the three ways jbuild can receive it: a classic {@code docker save} archive, an OCI image
 * layout tar, and a push to a registry over the distribution API. The config's diff_ids are the
 * layers' real digests, so nothing but the layer content is wrong.
 */
final class EvilImage {
  private static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  private final List<byte[]> layers;
  private final byte[] config;

  EvilImage(List<byte[]> uncompressedLayers) {
    this.layers = List.copyOf(uncompressedLayers);
    StringBuilder diffIds = new StringBuilder();
    for (byte[] layer : layers) {
      diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(digest(layer))
          .append('"');
    }
    this.config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** {@code manifest.json} + {@code <config>.json} + {@code <n>/layer.tar}, tagged {@code tag}. */
  byte[] dockerArchive(String tag) {
    EvilTar tar = new EvilTar();
    String configName = hex(config) + ".json";
    StringBuilder layerNames = new StringBuilder();
    for (int i = 0; i < layers.size(); i++) {
      String name = "l" + i + "/layer.tar";
      layerNames.append(i == 0 ? "" : ",").append('"').append(name).append('"');
      tar.file(name, layers.get(i), 0644);
    }
    tar.file(configName, config, 0644);
    tar.file("manifest.json", ("[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + tag
        + "\"],\"Layers\":[" + layerNames + "]}]").getBytes(StandardCharsets.UTF_8), 0644);
    return tar.bytes();
  }

  /** An OCI image layout as a tar, gzip layers, the index naming {@code tag}. */
  byte[] ociArchive(String tag) {
    EvilTar tar = new EvilTar();
    tar.file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    List<byte[]> blobs = new ArrayList<>();
    byte[] manifest = manifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json",
        "application/vnd.oci.image.layer.v1.tar+gzip", blobs);
    blobs.add(manifest);
    for (byte[] blob : blobs) {
      tar.file("blobs/sha256/" + hex(blob), blob, 0644);
    }
    tar.file("index.json", ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + OCI_MANIFEST
        + "\",\"digest\":\"" + digest(manifest) + "\",\"size\":" + manifest.length
        + ",\"annotations\":{\"io.containerd.image.name\":\"" + tag + "\"}}]}")
        .getBytes(StandardCharsets.UTF_8), 0644);
    return tar.bytes();
  }

  /**
   * Uploads the blobs and a Docker schema 2 manifest to {@code registry} (host:port) as
   * {@code repository:tag}, with plain distribution API calls (a real registry does not look
   * inside layers, so it stores whatever it is given).
   */
  void push(String registry, String repository, String tag)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://" + registry + "/v2/" + repository;
    List<byte[]> blobs = new ArrayList<>();
    byte[] manifest = manifest(DOCKER_MANIFEST,
        "application/vnd.docker.container.image.v1+json",
        "application/vnd.docker.image.rootfs.diff.tar.gzip", blobs);
    for (byte[] blob : blobs) {
      HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(base
          + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      expect(start, 202, "start a blob upload");
      String location = start.headers().firstValue("Location").orElseThrow();
      URI put = URI.create("http://" + registry + "/").resolve(location);
      String sep = put.toString().contains("?") ? "&" : "?";
      HttpResponse<String> done = http.send(HttpRequest.newBuilder(
          URI.create(put + sep + "digest=" + digest(blob)))
          .header("Content-Type", "application/octet-stream")
          .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
          HttpResponse.BodyHandlers.ofString());
      expect(done, 201, "upload blob " + digest(blob));
    }
    HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/manifests/"
        + tag)).header("Content-Type", DOCKER_MANIFEST)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(),
        HttpResponse.BodyHandlers.ofString());
    expect(put, 201, "put the manifest");
  }

  /** The manifest bytes; {@code blobs} receives the config and the gzip'd layers. */
  private byte[] manifest(String mediaType, String configType, String layerType,
      List<byte[]> blobs) {
    blobs.add(config);
    StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"")
        .append(mediaType).append("\",\"config\":").append(descriptor(configType, config))
        .append(",\"layers\":[");
    for (int i = 0; i < layers.size(); i++) {
      byte[] gz = gzip(layers.get(i));
      blobs.add(gz);
      json.append(i == 0 ? "" : ",").append(descriptor(layerType, gz));
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String descriptor(String mediaType, byte[] blob) {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest(blob) + "\",\"size\":"
        + blob.length + "}";
  }

  private static void expect(HttpResponse<String> response, int status, String action) {
    if (response.statusCode() != status) {
      throw new AssertionError("Tried to " + action + " but the registry answered "
          + response.statusCode() + ": " + response.body());
    }
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }

  static String digest(byte[] data) {
    return "sha256:" + hex(data);
  }

  private static String hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
