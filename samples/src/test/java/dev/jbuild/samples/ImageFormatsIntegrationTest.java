package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image formats through the real CLI against the real tools: {@code docker save} → {@code jbuild
 * load}; {@code jbuild save} → {@code docker load} with the same image ID, RootFS and size; {@code
 * jbuild save --format oci} → {@code skopeo inspect oci-archive:} and {@code umoci unpack} (which
 * checks the diff_ids and applies whiteouts); and the image commands (images, tag, rmi, inspect,
 * history, prune, verify) with docker's wording.
 */
@Tag("root")
class ImageFormatsIntegrationTest {
  @TempDir static Path work;
  static Jbuild jbuild;
  static final String NAME = "jbuild-formats-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void baseImage() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
  }

  @AfterAll
  static void removeDockerImages() throws Exception {
    if (Docker.available()) {
      for (String tag : List.of(":docker", ":jbuild", ":gz")) {
        Docker.exec(List.of("docker", "rmi", "-f", NAME + tag));
      }
    }
  }

  private static Jbuild.Result tool(String... cmd) throws Exception {
    Jbuild.Result r = Docker.exec(List.of(cmd));
    assertEquals(0, r.exitCode(), String.join(" ", cmd) + "\n" + r.stdout() + r.stderr());
    return r;
  }

  private static String field(Jbuild.Result r) {
    return r.stdout().strip();
  }

  @Test
  void dockerSave_jbuildLoad_jbuildSave_dockerLoad() throws Exception {
    if (!Docker.available()) {
      return;
    }
    // An image made by docker: a rootfs, a file, a hardlink, a deleted file (whiteout).
    Path context = Files.createDirectories(work.resolve("docker-ctx"));
    Files.copy(work.resolve("busybox-rootfs.tar"), context.resolve("rootfs.tar"));
    Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nADD rootfs.tar /\n"
        + "RUN echo hi > /hello && mkdir -p /d && echo x > /d/f && ln /d/f /d/g && echo y > /z\n"
        + "RUN rm /d/f /z\nENV A=b\nCMD [\"sh\"]\n");
    Jbuild.Result build = Docker.exec(List.of("env", "DOCKER_BUILDKIT=0", "docker", "build", "-q",
        "-t", NAME + ":docker", context.toString()));
    assertEquals(0, build.exitCode(), build.stderr());
    String dockerId = field(tool("docker", "image", "inspect", "-f", "{{.Id}}", NAME + ":docker"));
    String dockerRootfs = field(tool("docker", "image", "inspect", "-f", "{{json .RootFS.Layers}}",
        NAME + ":docker"));
    String dockerSize = field(tool("docker", "image", "inspect", "-f", "{{.Size}}",
        NAME + ":docker"));
    Path saved = work.resolve("docker-saved.tar");
    tool("docker", "save", "-o", saved.toString(), NAME + ":docker");

    Jbuild.Result load = jbuild.run("load", "-i", saved.toString()).assertSuccess();
    assertEquals("Loaded image: " + NAME + ":docker", load.stdout().strip());
    assertEquals(dockerId, field(jbuild.run("inspect", "-f", "{{.Id}}", NAME + ":docker")
        .assertSuccess()));
    assertEquals(dockerRootfs, field(jbuild.run("inspect", "-f", "{{json .RootFS.Layers}}",
        NAME + ":docker").assertSuccess()));
    assertEquals(dockerSize, field(jbuild.run("inspect", "-f", "{{.Size}}", NAME + ":docker")
        .assertSuccess()), "uncompressed size as docker counts it");
    // The same archive gzip'd, into another store.
    tool("sh", "-c", "gzip -c " + saved + " > " + saved + ".gz");
    Jbuild other = new Jbuild(work.resolve("store-gz"));
    other.run("load", "-i", saved + ".gz").assertSuccess();
    assertEquals(dockerId, field(other.run("inspect", "-f", "{{.Id}}", NAME + ":docker")
        .assertSuccess()));
    // It runs in jbuild: the whiteouts were applied.
    Jbuild.Result ls = jbuild.run("run", "--rm", NAME + ":docker", "sh", "-c",
        "cat /hello; ls /d; ls /z 2>&1 || true").assertSuccess();
    assertTrue(ls.stdout().startsWith("hi\ng\n"), ls.stdout());

    // Back to docker under a new name, after docker forgot the image.
    jbuild.run("tag", NAME + ":docker", NAME + ":jbuild").assertSuccess();
    Path ours = work.resolve("jbuild-saved.tar");
    jbuild.run("save", "-o", ours.toString(), NAME + ":jbuild").assertSuccess();
    tool("docker", "rmi", NAME + ":docker");
    Jbuild.Result dockerLoad = tool("docker", "load", "-i", ours.toString());
    assertTrue(dockerLoad.stdout().contains("Loaded image: " + NAME + ":jbuild"),
        dockerLoad.stdout());
    assertEquals(dockerId, field(tool("docker", "image", "inspect", "-f", "{{.Id}}",
        NAME + ":jbuild")));
    assertEquals(dockerRootfs, field(tool("docker", "image", "inspect", "-f",
        "{{json .RootFS.Layers}}", NAME + ":jbuild")));
    assertEquals("hi", field(tool("docker", "run", "--rm", NAME + ":jbuild", "cat", "/hello")));

    // A layer jbuild made itself (from its own build) also loads in docker.
    Path ctx = Files.createDirectories(work.resolve("jbuild-ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + NAME + ":jbuild\n"
        + "RUN echo built > /built && rm /hello\n");
    jbuild.run("build", "-t", NAME + ":gz", ctx.toString()).assertSuccess();
    Path built = work.resolve("built.tar");
    jbuild.run("save", "-o", built.toString(), NAME + ":gz").assertSuccess();
    tool("docker", "load", "-i", built.toString());
    assertEquals("built", field(tool("docker", "run", "--rm", NAME + ":gz", "sh", "-c",
        "cat /built; test -e /hello && echo still-there || true")));
    assertEquals(field(jbuild.run("inspect", "-f", "{{.Size}}", NAME + ":gz").assertSuccess()),
        field(tool("docker", "image", "inspect", "-f", "{{.Size}}", NAME + ":gz")));
  }

  @Test
  void ociArchive_readBySkopeoAndUmoci() throws Exception {
    Path ctx = Files.createDirectories(work.resolve("oci-ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        + "RUN mkdir -p /opt/keep && echo a > /opt/keep/a && echo b > /etc/b.txt\n"
        + "RUN rm /etc/b.txt && rm -r /opt/keep && mkdir /opt/keep && echo new > /opt/keep/n\n");
    jbuild.run("build", "-t", "formats/oci:v1", ctx.toString()).assertSuccess();
    Path archive = work.resolve("image-oci.tar");
    jbuild.run("save", "--format", "oci", "-o", archive.toString(), "formats/oci:v1")
        .assertSuccess();
    String layers = field(jbuild.run("inspect", "-f", "{{len .RootFS.Layers}}", "formats/oci:v1"));
    Jbuild.Result skopeo = tool("skopeo", "--insecure-policy", "inspect",
        "oci-archive:" + archive + ":v1");
    assertEquals("3", layers);
    JsonNode inspected = new ObjectMapper().readTree(skopeo.stdout());
    assertEquals(3, inspected.get("Layers").size(), skopeo.stdout());
    Path layout = Files.createDirectories(work.resolve("layout"));
    tool("tar", "-C", layout.toString(), "-xf", archive.toString());
    assertFalse(Files.exists(layout.resolve("manifest.json")), "plain OCI layout expected");
    Path bundle = work.resolve("bundle");
    tool("umoci", "unpack", "--image", layout + ":v1", bundle.toString());
    Path rootfs = bundle.resolve("rootfs");
    assertTrue(Files.isRegularFile(rootfs.resolve("bin/busybox")));
    assertFalse(Files.exists(rootfs.resolve("etc/b.txt")), "whiteout not applied");
    assertFalse(Files.exists(rootfs.resolve("opt/keep/a")), "opaque directory not applied");
    assertEquals("new\n", Files.readString(rootfs.resolve("opt/keep/n")));
    // And jbuild reads its own OCI archive back, and skopeo's docker-archive (<hex>.tar layers).
    String id = field(jbuild.run("inspect", "-f", "{{.Id}}", "formats/oci:v1").assertSuccess());
    Jbuild other = new Jbuild(work.resolve("store-oci"));
    assertEquals("Loaded image: formats/oci:v1",
        other.run("load", "-i", archive.toString()).assertSuccess().stdout().strip());
    assertEquals(id, field(other.run("inspect", "-f", "{{.Id}}", "formats/oci:v1")));
    Path skopeoArchive = work.resolve("skopeo-docker.tar");
    tool("skopeo", "--insecure-policy", "copy", "oci-archive:" + archive + ":v1",
        "docker-archive:" + skopeoArchive + ":formats/skopeo:v2");
    Jbuild third = new Jbuild(work.resolve("store-skopeo"));
    assertEquals("Loaded image: formats/skopeo:v2",
        third.run("load", "-i", skopeoArchive.toString()).assertSuccess().stdout().strip());
    assertEquals(id, field(third.run("inspect", "-f", "{{.Id}}", "formats/skopeo:v2")));
    third.run("run", "--rm", "formats/skopeo:v2", "cat", "/opt/keep/n").assertSuccess();
  }

  @Test
  void imageCommands_likeDocker() throws Exception {
    Jbuild j = new Jbuild(work.resolve("store-cmds"));
    j.importBusybox(work, "cmds/base:1");
    String id = field(j.run("inspect", "-f", "{{.Id}}", "cmds/base:1").assertSuccess());
    j.run("tag", "cmds/base:1", "cmds/other:2").assertSuccess();
    Jbuild.Result images = j.run("images").assertSuccess();
    assertTrue(images.stdout().startsWith("REPOSITORY   TAG   IMAGE ID"), images.stdout());
    assertTrue(images.stdout().contains("cmds/other   2     " + id.substring(7, 19)),
        images.stdout());
    assertEquals(id.substring(7, 19) + "\n", j.run("images", "-q").assertSuccess().stdout());
    // Imported, never pushed or pulled: no repo digest, as docker shows it (issue 17 item 4).
    String digests = j.run("images", "--digests").assertSuccess().stdout();
    assertTrue(digests.startsWith("REPOSITORY   TAG   DIGEST   IMAGE ID")
        && digests.contains("cmds/other   2     <none>   " + id.substring(7, 19)), digests);
    Jbuild.Result inspect = j.run("inspect", "cmds/base:1").assertSuccess();
    for (String key : List.of("\"Id\"", "\"RepoTags\"", "\"RepoDigests\"", "\"Created\"",
        "\"Config\"", "\"RootFS\"", "\"Architecture\"", "\"Os\"", "\"Size\"")) {
      assertTrue(inspect.stdout().contains(key), key + " missing:\n" + inspect.stdout());
    }
    assertTrue(inspect.stdout().startsWith("[\n    {\n"), inspect.stdout());
    Jbuild.Result history = j.run("history", "cmds/base:1").assertSuccess();
    assertTrue(history.stdout().startsWith("IMAGE          CREATED"), history.stdout());
    Jbuild.Result missing = j.run("inspect", "nope:1");
    assertEquals(1, missing.exitCode());
    assertEquals("[]", missing.stdout().strip());
    assertEquals("error: No such image: nope:1", missing.stderr().strip());

    // rmi by ID with two repositories needs -f; by tag it untags, the last tag deletes.
    Jbuild.Result conflict = j.run("rmi", id.substring(7, 19));
    assertEquals(1, conflict.exitCode());
    assertTrue(conflict.stderr().contains("image is referenced in multiple repositories"),
        conflict.stderr());
    assertEquals("Untagged: cmds/other:2\n", j.run("rmi", "cmds/other:2").assertSuccess()
        .stdout());
    assertEquals("Untagged: cmds/base:1\nDeleted: " + id + "\n",
        j.run("rmi", "cmds/base:1").assertSuccess().stdout());
    assertEquals("", j.run("images", "-q").assertSuccess().stdout());
    // The layer is left for prune, which reclaims it; the store is then clean and empty.
    Jbuild.Result prune = j.run("prune").assertSuccess();
    assertTrue(prune.stdout().contains("Total reclaimed space: "), prune.stdout());
    assertFalse(prune.stdout().contains("Total reclaimed space: 0B"), prune.stdout());
    Jbuild.Result verify = j.run("verify").assertSuccess();
    assertTrue(verify.stdout().contains("Store is clean: 0 blobs"), verify.stdout());
  }
}
