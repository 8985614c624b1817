package dev.jbuild.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.BuildRequest;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.registry.auth.Credential;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.model.Model;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.DefaultSettingsProblem;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin's configuration handling in process (the real Maven runs are {@code
 * MavenPluginIntegrationTest} in samples): settings.xml credentials and decryption failures, bad
 * tags, secrets and networks, the default tag, and the Dockerfile location in error lines.
 */
class PluginConfigTest {
  @TempDir Path tmp;

  private static Server server(String id, String user, String password) {
    Server s = new Server();
    s.setId(id);
    s.setUsername(user);
    s.setPassword(password);
    return s;
  }

  /** A decrypter that "decrypts" {@code {x}} to {@code x} and fails on {@code {bad}}. */
  private static final SettingsDecrypter FAKE = request -> {
    Server in = request.getServers().get(0);
    Server out = in.clone();
    List<SettingsProblem> problems = new ArrayList<>();
    if ("{bad}".equals(in.getPassword())) {
      problems.add(new DefaultSettingsProblem("Failed to decrypt password for server "
          + in.getId() + ": master password missing", SettingsProblem.Severity.ERROR, "settings",
          -1, -1, null));
    } else if (in.getPassword() != null && in.getPassword().startsWith("{")) {
      out.setPassword(in.getPassword().substring(1, in.getPassword().length() - 1));
    }
    return new SettingsDecryptionResult() {
      @Override
      public Server getServer() {
        return out;
      }

      @Override
      public List<Server> getServers() {
        return List.of(out);
      }

      @Override
      public org.apache.maven.settings.Proxy getProxy() {
        return null;
      }

      @Override
      public List<org.apache.maven.settings.Proxy> getProxies() {
        return List.of();
      }

      @Override
      public List<SettingsProblem> getProblems() {
        return problems;
      }
    };
  };

  @Test
  void servers_becomeRegistryCredentials_decrypted() {
    Settings settings = new Settings();
    settings.addServer(server("registry.example.com", "ci", "{s3cret}"));
    settings.addServer(server("127.0.0.1:5000", "me", "plain"));
    settings.addServer(server("ssh-only", null, null));
    RegistryOptions options = ServerCredentials.apply(RegistryOptions.defaults(), settings, FAKE);
    assertEquals(new Credential("ci", "s3cret"),
        options.credential("registry.example.com").orElseThrow());
    assertEquals(new Credential("me", "plain"), options.credential("127.0.0.1:5000").orElseThrow());
    assertTrue(options.credential("ssh-only").isEmpty());
  }

  @Test
  void undecryptablePassword_isOneLineNamingTheServer_withoutTheSecret() {
    Settings settings = new Settings();
    settings.addServer(server("registry.example.com", "ci", "{bad}"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ServerCredentials.apply(RegistryOptions.defaults(), settings, FAKE));
    assertTrue(e.getMessage().startsWith("Tried to decrypt the password of server "
        + "'registry.example.com'"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  private BuildMojo mojo() throws Exception {
    BuildMojo mojo = new BuildMojo();
    Model model = new Model();
    model.setArtifactId("My-App");
    model.setVersion("2.1-SNAPSHOT");
    mojo.project = new MavenProject(model);
    mojo.project.setFile(tmp.resolve("pom.xml").toFile());
    Files.writeString(tmp.resolve("Dockerfile"), "FROM scratch\n");
    mojo.contextDirectory = tmp.toFile();
    mojo.network = "default";
    mojo.setLog(new SystemStreamLog());
    return mojo;
  }

  @Test
  void defaultTag_isArtifactIdAndVersion_lowerCased() throws Exception {
    BuildRequest request = mojo().request();
    assertEquals(List.of(ImageReference.parse("my-app:2.1-SNAPSHOT")), request.tags());
    assertEquals(tmp.resolve("Dockerfile"), request.dockerfile());
  }

  @Test
  void badConfiguration_isOneLineNamingTheValue() throws Exception {
    BuildMojo mojo = mojo();
    mojo.tags = List.of("Not A Tag");
    assertTrue(assertThrows(MojoExecutionException.class, mojo::request).getMessage()
        .startsWith("invalid tag 'Not A Tag'"));

    mojo = mojo();
    mojo.network = "bogus";
    assertTrue(assertThrows(MojoExecutionException.class, mojo::request).getMessage()
        .contains("<network> 'bogus'"));

    mojo = mojo();
    mojo.secrets = List.of("id=npm,src=" + tmp.resolve("missing"));
    assertTrue(assertThrows(MojoExecutionException.class, mojo::request).getMessage()
        .contains("secret npm: cannot read"));

    mojo = mojo();
    mojo.secrets = List.of("novalue");
    assertTrue(assertThrows(MojoExecutionException.class, mojo::request).getMessage()
        .contains("expected id=ID,src=PATH"));

    mojo = mojo();
    mojo.contextDirectory = new File(tmp.toFile(), "absent");
    assertTrue(assertThrows(MojoExecutionException.class, mojo::request).getMessage()
        .contains("is not a directory"));
  }

  @Test
  void secretsAndBuildArgs_reachTheRequest() throws Exception {
    BuildMojo mojo = mojo();
    Files.writeString(tmp.resolve("token"), "t");
    mojo.secrets = List.of("id=npm,src=" + tmp.resolve("token"), "id=GH_TOKEN");
    java.util.Map<String, String> args = new java.util.HashMap<>();
    args.put("VERSION", "1.0");
    args.put("EMPTY", null);
    mojo.buildArgs = args;
    BuildRequest request = mojo.request();
    assertEquals(tmp.resolve("token"), request.secrets().get("npm").file());
    assertEquals("GH_TOKEN", request.secrets().get("GH_TOKEN").env());
    assertEquals(Map.of("VERSION", "1.0", "EMPTY", ""), request.buildArgs());
  }

  @Test
  void errorLines_nameTheDockerfileRelativeToTheProject() throws Exception {
    BuildMojo mojo = mojo();
    Path file = tmp.resolve("src/main/docker/Dockerfile");
    assertEquals("src/main/docker/Dockerfile:3: RUN failed",
        mojo.located("Dockerfile:3: RUN failed", file));
    assertEquals("failed to read the Dockerfile: x",
        mojo.located("failed to read the Dockerfile: x", file));
    Path outside = Path.of("/elsewhere/Dockerfile");
    assertEquals("/elsewhere/Dockerfile:1: bad", mojo.located("Dockerfile:1: bad", outside));
  }
}
