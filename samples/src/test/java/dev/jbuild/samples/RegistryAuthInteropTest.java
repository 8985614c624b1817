package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.testing.FaultProxy;
import dev.jbuild.registry.testing.FaultProxy.Fault;
import dev.jbuild.registry.testing.LocalRegistry;
import dev.jbuild.registry.testing.TokenServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild login/logout/push/pull} end to end against Debian's docker-registry in its three
 * auth modes (anonymous, htpasswd, token), a credential helper, a fault-injecting proxy, and the
 * docker and skopeo oracles.
 */
@Tag("root")
class RegistryAuthInteropTest {
  private static final Pattern PUSHED = Pattern.compile("v1: digest: (sha256:[0-9a-f]{64})");

  @TempDir Path work;

  /** Runs the CLI in a child JVM with a private DOCKER_CONFIG, extra PATH entries and stdin. */
  private final class Cli {
    final Path root;
    final Path dockerConfig;
    final Map<String, String> env = new HashMap<>();

    Cli(String name) throws IOException {
      root = work.resolve(name);
      dockerConfig = work.resolve(name + "-docker");
      env.put("DOCKER_CONFIG", dockerConfig.toString());
    }

    Jbuild.Result run(String stdin, String... args) throws Exception {
      List<String> cmd = new Jbuild(root).command();
      cmd.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(cmd);
      builder.environment().putAll(env);
      Path out = Files.createTempFile(work, "out", ".txt");
      Path err = Files.createTempFile(work, "err", ".txt");
      Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("jbuild " + String.join(" ", args) + " timed out");
      }
      return new Jbuild.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    Jbuild.Result ok(String... args) throws Exception {
      return run(null, args).assertSuccess();
    }

    /** Imports the offline busybox image as {@code ref}. */
    void importBusybox(String ref) throws Exception {
      new Jbuild(root).importBusybox(work, ref);
    }
  }

  @Test
  void htpasswd_loginPushMountRepushPullLogout() throws Exception {
    try (LocalRegistry registry = LocalRegistry.startWithBasicAuth(work.resolve("reg"), "alice",
        "s3cret")) {
      String host = registry.address();
      Cli cli = new Cli("basic");
      cli.importBusybox("localbase/busybox:1");
      cli.ok("tag", "localbase/busybox:1", host + "/team/app:v1");

      Jbuild.Result anonymous = cli.run(null, "push", host + "/team/app:v1");
      assertEquals(1, anonymous.exitCode(), anonymous.stdout());
      assertTrue(anonymous.stderr().startsWith("error: push to " + host + "/team/app denied:"
          + " requested access to the resource is denied ("), anonymous.stderr());

      Jbuild.Result wrong = cli.run("nope\n", "login", "-u", "alice", "--password-stdin", host);
      assertEquals(1, wrong.exitCode());
      assertTrue(wrong.stderr().contains("Tried to log in to " + host), wrong.stderr());
      assertFalse(Files.exists(cli.dockerConfig.resolve("config.json")), "saved bad credentials");

      Jbuild.Result login = cli.run("s3cret\n", "login", "-u", "alice", "--password-stdin", host);
      assertEquals(0, login.exitCode(), login.stderr());
      assertTrue(login.stdout().contains("Login Succeeded"), login.stdout());
      Path config = cli.dockerConfig.resolve("config.json");
      assertEquals("rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
      assertTrue(Files.readString(config).contains("\"" + host + "\""), Files.readString(config));
      assertFalse(Files.readString(config).contains("s3cret"), "password stored in clear");

      Jbuild.Result push = cli.ok("push", host + "/team/app:v1");
      assertTrue(push.stdout().startsWith("The push refers to repository [" + host
          + "/team/app]\n"), push.stdout());
      assertTrue(push.stdout().contains(": Preparing\n") && push.stdout().contains(": Pushed\n"),
          push.stdout());
      Matcher digest = PUSHED.matcher(push.stdout());
      assertTrue(digest.find(), push.stdout());

      // Another repository of the same registry: the layer is mounted, not uploaded.
      cli.ok("tag", "localbase/busybox:1", host + "/team/copy:v1");
      Jbuild.Result mounted = cli.ok("push", host + "/team/copy:v1");
      assertTrue(mounted.stdout().contains(": Mounted from team/app\n"), mounted.stdout());
      assertFalse(mounted.stdout().contains(": Pushed"), mounted.stdout());

      Jbuild.Result again = cli.ok("push", "--chunk-size", "64k", host + "/team/app:v1");
      assertTrue(again.stdout().contains(": Layer already exists\n"), again.stdout());
      assertTrue(again.stdout().contains("v1: digest: " + digest.group(1)), again.stdout());

      // A fresh store with the same login pulls it; a second pull is up to date.
      Cli puller = new Cli("basic-puller");
      puller.env.put("DOCKER_CONFIG", cli.dockerConfig.toString());
      Jbuild.Result pull = puller.ok("pull", host + "/team/copy:v1");
      assertTrue(pull.stdout().startsWith("v1: Pulling from team/copy\n"), pull.stdout());
      assertTrue(pull.stdout().contains(": Pull complete\n"), pull.stdout());
      assertTrue(pull.stdout().contains("Digest: " + digest.group(1)), pull.stdout());
      assertTrue(pull.stdout().contains("Status: Downloaded newer image for " + host
          + "/team/copy:v1"), pull.stdout());
      Jbuild.Result twice = puller.ok("pull", host + "/team/copy:v1");
      assertTrue(twice.stdout().contains("Status: Image is up to date for"), twice.stdout());

      Jbuild.Result logout = cli.ok("logout", host);
      assertEquals("Removing login credentials for " + host + "\n", logout.stdout());
      assertFalse(Files.readString(config).contains(host), Files.readString(config));
    }
  }

  @Test
  void tokenAuth_withACredentialHelper_pushAndPull_andSkopeoReadsIt() throws Exception {
    try (TokenServer tokens = new TokenServer(work.resolve("tokens"))
            .user("bob", "t0ken", false).user("eve", "r3ad", true);
        LocalRegistry registry = tokens.startRegistry(work.resolve("reg"))) {
      String host = registry.address();
      Cli cli = new Cli("token");
      Path bin = fakeCredentialHelper();
      cli.env.put("PATH", bin + ":" + System.getenv("PATH"));
      Files.createDirectories(cli.dockerConfig);
      Files.writeString(cli.dockerConfig.resolve("config.json"), "{\"credsStore\":\"jbtest\"}");

      cli.run("t0ken", "login", "-u", "bob", "--password-stdin", host).assertSuccess();
      // The helper holds the secret; config.json only names the registry.
      assertTrue(Files.readString(bin.resolve("store-" + host.replace(':', '_')))
          .contains("\"Secret\":\"t0ken\""));
      assertFalse(Files.readString(cli.dockerConfig.resolve("config.json")).contains("t0ken"));

      cli.importBusybox("localbase/busybox:1");
      cli.ok("tag", "localbase/busybox:1", host + "/secure/app:v1");
      Matcher digest = PUSHED.matcher(cli.ok("push", host + "/secure/app:v1").stdout());
      assertTrue(digest.find());
      assertTrue(tokens.requests().stream().anyMatch(r -> r.startsWith("POST bob [repository:"
          + "secure/app:pull,push]")), tokens.requests().toString());

      Cli puller = new Cli("token-puller");
      puller.env.putAll(cli.env);
      Jbuild.Result pull = puller.ok("pull", host + "/secure/app:v1");
      assertTrue(pull.stdout().contains("Digest: " + digest.group(1)), pull.stdout());
      assertEquals("hello from pulled\n",
          puller.ok("run", "--rm", host + "/secure/app:v1", "echo", "hello from pulled").stdout());

      Jbuild.Result inspect = Docker.exec(List.of("skopeo", "inspect", "--tls-verify=false",
          "--creds", "bob:t0ken", "--format", "{{.Digest}}", "docker://" + host
              + "/secure/app:v1"));
      assertEquals(0, inspect.exitCode(), inspect.stderr());
      assertEquals(digest.group(1), inspect.stdout().strip());

      // A pull-only user is refused in Docker's words.
      Cli reader = new Cli("token-reader");
      reader.run("r3ad", "login", "-u", "eve", "--password-stdin", host).assertSuccess();
      reader.importBusybox("localbase/busybox:1");
      reader.ok("tag", "localbase/busybox:1", host + "/secure/app:v2");
      Jbuild.Result denied = reader.run(null, "push", host + "/secure/app:v2");
      assertEquals(1, denied.exitCode());
      assertTrue(denied.stderr().startsWith("error: push to " + host + "/secure/app denied:"
          + " requested access to the resource is denied"), denied.stderr());

      cli.ok("logout", host);
      assertFalse(Files.exists(bin.resolve("store-" + host.replace(':', '_'))),
          "the helper was not asked to erase");
    }
  }

  /** {@code docker-credential-jbtest}: keeps each server's JSON in a file next to itself. */
  private Path fakeCredentialHelper() throws IOException {
    Path bin = Files.createDirectories(work.resolve("bin"));
    Path helper = bin.resolve("docker-credential-jbtest");
    Files.writeString(helper, String.join("\n",
        "#!/bin/sh",
        "dir=$(dirname \"$0\")",
        "case \"$1\" in",
        "  store) json=$(cat); url=$(printf %s \"$json\" | sed 's/.*\"ServerURL\":\"\\([^\"]*\\)\".*/\\1/');"
            + " printf %s \"$json\" > \"$dir/store-$(echo $url | tr : _)\" ;;",
        "  get) url=$(cat); f=\"$dir/store-$(echo $url | tr : _)\";"
            + " if [ -f \"$f\" ]; then cat \"$f\"; else echo 'credentials not found in native"
            + " keychain'; exit 1; fi ;;",
        "  erase) url=$(cat); rm -f \"$dir/store-$(echo $url | tr : _)\" ;;",
        "  *) exit 2 ;;",
        "esac", ""));
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  @Test
  void anonymous_dockerInterop_andFaults() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(work.resolve("reg"))) {
      String host = registry.address();
      Cli cli = new Cli("anon");
      cli.importBusybox("localbase/busybox:1");
      String target = host + "/interop/jbuild:v1";
      cli.ok("tag", "localbase/busybox:1", target);
      cli.ok("push", target);

      if (Docker.available()) {
        // docker pulls and runs what jbuild pushed (docker trusts 127.0.0.0/8 over HTTP).
        Jbuild.Result pulled = Docker.exec(List.of("docker", "pull", "-q", target));
        assertEquals(0, pulled.exitCode(), pulled.stderr());
        Jbuild.Result ran = Docker.exec(List.of("docker", "run", "--rm", target, "echo",
            "hi from docker"));
        assertEquals(0, ran.exitCode(), ran.stderr());
        assertEquals("hi from docker\n", ran.stdout());
        // jbuild pulls what docker pushed.
        String fromDocker = host + "/interop/docker:v1";
        assertEquals(0, Docker.exec(List.of("docker", "tag", target, fromDocker)).exitCode());
        Jbuild.Result dockerPush = Docker.exec(List.of("docker", "push", fromDocker));
        assertEquals(0, dockerPush.exitCode(), dockerPush.stderr());
        Cli puller = new Cli("anon-docker");
        puller.ok("pull", fromDocker);
        assertEquals("ok\n", puller.ok("run", "--rm", fromDocker, "echo", "ok").stdout());
        Docker.exec(List.of("docker", "rmi", "-f", target, fromDocker));
      }

      try (FaultProxy proxy = new FaultProxy(host)) {
        String viaProxy = proxy.address() + "/interop/jbuild:v1";
        proxy.inject("GET", "/manifests/", Fault.SERVER_ERROR, 1)
            .inject("GET", "/blobs/", Fault.DROP, 1)
            .inject("GET", "/blobs/", Fault.TRUNCATE, 1);
        Cli flaky = new Cli("anon-flaky");
        flaky.ok("pull", viaProxy);
        assertTrue(proxy.allFaultsUsed(), proxy.log().toString());

        Cli corrupt = new Cli("anon-corrupt");
        proxy.inject("GET", "/blobs/", Fault.CORRUPT, 1000);
        Jbuild.Result failed = corrupt.run(null, "pull", viaProxy);
        assertEquals(1, failed.exitCode(), failed.stdout());
        // One attempt: a digest mismatch is not retried (issue #10 item 5).
        Matcher m = Pattern.compile("Tried to pull blob (sha256:[0-9a-f]{64}) from .* but failed"
            + " because: the content's digest is sha256:[0-9a-f]{64}\n").matcher(failed.stderr());
        assertTrue(m.find(), failed.stderr());
        assertFalse(LayerStore.open(corrupt.root).content().contains(Digest.parse(m.group(1))),
            "the store kept a corrupt blob");
      }
    }
  }
}
