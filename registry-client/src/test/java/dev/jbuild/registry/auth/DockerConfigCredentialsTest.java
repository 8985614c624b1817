package dev.jbuild.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
  @TempDir Path directory;

  private static String auth(String userAndPassword) {
    return Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  private DockerConfigCredentials load(String json) throws IOException {
    Files.writeString(directory.resolve("config.json"), json);
    return DockerConfigCredentials.load(directory);
  }

  @Test
  void find_exactHostAndPort_matches() throws IOException {
    DockerConfigCredentials config = load("{\"auths\":{"
        + "\"localhost:5000\":{\"auth\":\"" + auth("a:b") + "\"},"
        + "\"localhost:5001\":{\"auth\":\"" + auth("c:d:e") + "\"}}}");
    assertEquals(Optional.of(new Credential("a", "b")), config.find("localhost:5000"));
    assertEquals(Optional.of(new Credential("c", "d:e")), config.find("localhost:5001"));
    assertEquals(Optional.empty(), config.find("localhost"));
  }

  @Test
  void find_legacyUrlKey_matchesByHost() throws IOException {
    DockerConfigCredentials config = load("{\"auths\":{"
        + "\"https://registry.example.com/v1/\":{\"auth\":\"" + auth("u:p") + "\"}}}");
    assertEquals(Optional.of(new Credential("u", "p")), config.find("registry.example.com"));
    assertEquals(Optional.empty(), config.find("example.com"));
  }

  @Test
  void find_dockerHub_usesTheIndexKey() throws IOException {
    DockerConfigCredentials config = load("{\"auths\":{"
        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub:pw") + "\"}}}");
    assertEquals(Optional.of(new Credential("hub", "pw")), config.find("docker.io"));
  }

  @Test
  void find_invalidEntriesAreSkipped_identityTokensAreFound() throws IOException {
    DockerConfigCredentials config = load("{\"auths\":{"
        + "\"a.example\":{\"auth\":\"not base64!\"},"
        + "\"b.example\":{\"auth\":\"" + auth("nocolon") + "\"},"
        + "\"c.example\":{\"identitytoken\":\"tok\"}},"
        + "\"credsStore\":\"desktop\"}");
    assertEquals(Optional.empty(), config.find("a.example"));
    assertEquals(Optional.empty(), config.find("b.example"));
    // The "desktop" helper is not installed: its failure is logged and auths answers.
    assertEquals(Optional.of(Credential.identityToken("tok")), config.find("c.example"));
    assertTrue(config.find("c.example").get().isIdentityToken());
    assertTrue(config.usesCredentialHelpers());
  }

  @Test
  void load_missingFile_hasNoCredentials() throws IOException {
    DockerConfigCredentials config = DockerConfigCredentials.load(directory.resolve("absent"));
    assertEquals(Optional.empty(), config.find("docker.io"));
    assertFalse(config.usesCredentialHelpers());
  }

  @Test
  void load_invalidJson_saysWhichFile() throws IOException {
    Files.writeString(directory.resolve("config.json"), "{not json");
    IOException e = assertThrows(IOException.class, () -> DockerConfigCredentials.load(directory));
    assertTrue(e.getMessage().startsWith("Tried to read Docker credentials from "
        + directory.resolve("config.json") + " but failed because: "), e.getMessage());
  }

  @Test
  void toHostname_stripsSchemeAndPath() {
    assertEquals("host:5000", DockerConfigCredentials.toHostname("https://host:5000/v2/"));
    assertEquals("host", DockerConfigCredentials.toHostname("http://host"));
    assertEquals("host", DockerConfigCredentials.toHostname("host"));
  }

  @Test
  void credential_toString_hidesThePassword() {
    String text = new Credential("user", "hunter2").toString();
    assertFalse(text.contains("hunter2"), text);
    assertEquals("Basic dXNlcjpodW50ZXIy", new Credential("user", "hunter2").basicAuthorization());
  }
}
