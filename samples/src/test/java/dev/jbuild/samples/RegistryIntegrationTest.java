package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.registry.testing.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton's registry path with Debian's real docker-registry on 127.0.0.1: a base
 * image pulled over plain HTTP by FROM, the built image pushed with {@code jbuild push}, pushed
 * again (everything skipped), pulled into a fresh store with {@code jbuild pull} and run, and
 * checked by skopeo when it is installed.
 */
@Tag("root")
class RegistryIntegrationTest {
  private static final Pattern PUSHED =
      Pattern.compile("v1: digest: (sha256:[0-9a-f]{64}) size: (\\d+)");

  @TempDir Path work;

  @Test
  void pushPullRoundTrip() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(work.resolve("registry"))) {
      String host = registry.address();
      String base = host + "/localbase/busybox:1";
      String target = host + "/geektime/helloworld:v1";

      Jbuild publisher = new Jbuild(work.resolve("publisher"));
      publisher.importBusybox(work, "localbase/busybox:1");
      publisher.run("tag", "localbase/busybox:1", base).assertSuccess();
      publisher.run("push", base).assertSuccess();

      // A fresh store: FROM must pull the base image from the registry.
      Jbuild builder = new Jbuild(work.resolve("builder"));
      Path metadata = work.resolve("metadata.json");
      Jbuild.Result build = builder.run("build", "--progress=plain", "--build-arg", "BASE=" + base,
          "--metadata-file", metadata.toString(),
          "-t", target, Jbuild.samplesDir().resolve("helloworld").toString()).assertSuccess();
      assertTrue(build.stderr().contains("pulling " + base), build.stderr());
      Jbuild.Result push = builder.run("push", target).assertSuccess();
      Matcher m = PUSHED.matcher(push.stdout());
      assertTrue(m.find(), push.stdout());
      String digest = m.group(1);
      assertTrue(push.stdout().contains(": Pushed"), push.stdout());

      Jbuild.Result again = builder.run("push", target).assertSuccess();
      assertTrue(again.stdout().contains(": Layer already exists"), again.stdout());
      assertTrue(!again.stdout().contains(": Pushed"), "second push uploaded: " + again.stdout());
      assertTrue(again.stdout().contains("v1: digest: " + digest), again.stdout());

      // RepoDigests: what the registry accepted, and nothing for a push that failed.
      // --metadata-file: the digest CI deploys by is the one the registry gave.
      JsonNode meta = new ObjectMapper().readTree(Files.readString(metadata));
      assertEquals(digest, meta.get("containerimage.digest").asText(), meta.toString());
      assertTrue(meta.get("containerimage.config.digest").asText()
          .startsWith("sha256:" + imageIds(builder).get(0)), meta.toString());
      assertEquals(target, meta.get("image.name").asText());
      String repoDigest = host + "/geektime/helloworld@" + digest;
      assertEquals(repoDigest, builder.run("inspect", "-f", "{{index .RepoDigests 0}}", target)
          .assertSuccess().stdout().strip());
      builder.run("tag", target, "127.0.0.1:1/nowhere/x:1").assertSuccess();
      assertTrue(builder.run("push", "127.0.0.1:1/nowhere/x:1").exitCode() != 0);
      assertEquals("[" + repoDigest + "]", builder.run("inspect", "-f", "{{.RepoDigests}}",
          "127.0.0.1:1/nowhere/x:1").assertSuccess().stdout().strip());

      Jbuild puller = new Jbuild(work.resolve("puller"));
      Jbuild.Result pull = puller.run("pull", target).assertSuccess();
      assertTrue(pull.stdout().contains("Digest: " + digest), pull.stdout());
      assertEquals(repoDigest, puller.run("inspect", "-f", "{{index .RepoDigests 0}}", target)
          .assertSuccess().stdout().strip());
      Jbuild.Result run = puller.run("run", "--rm", target).assertSuccess();
      assertTrue(run.stdout().contains("Hello World!"), run.stdout());
      assertEquals(imageIds(builder).get(0), imageIds(puller).get(0), "pulled image ID");

      if (Files.isExecutable(Path.of("/usr/bin/skopeo"))) {
        Jbuild.Result inspect = Docker.exec(List.of("skopeo", "inspect", "--tls-verify=false",
            "--format", "{{.Digest}}", "docker://" + target));
        assertEquals(0, inspect.exitCode(), inspect.stderr());
        assertEquals(digest, inspect.stdout().strip());
        // skopeo pulls what jbuild pushed and verifies every blob on the way.
        Jbuild.Result copy = Docker.exec(List.of("skopeo", "copy", "--insecure-policy",
            "--src-tls-verify=false", "docker://" + target, "oci:" + work.resolve("oci") + ":v1"));
        assertEquals(0, copy.exitCode(), copy.stderr());
      }
    }
  }

  /** Image IDs of the store, newest first ({@code jbuild images -q}). */
  private static List<String> imageIds(Jbuild jbuild) throws Exception {
    return List.of(jbuild.run("images", "-q").assertSuccess().stdout().strip().split("\n"));
  }
}
