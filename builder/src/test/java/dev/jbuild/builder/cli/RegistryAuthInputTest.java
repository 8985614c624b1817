package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.registry.auth.Credential;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link RegistryAuthInput} and the hidden {@code --registry-auth-stdin} option: the
 * credentials the Maven plugin pipes to its child JVM, and input that is not credentials, whose
 * one-line error never quotes what was read (it may be a password).
 */
class RegistryAuthInputTest {
  private static final String SECRET = "s3cr3t-p@ss\"word";

  private static InputStream in(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void configJsonShape_givesCredentialsByRegistry() throws IOException {
    Map<String, Credential> read = RegistryAuthInput.read(in("{\"auths\":{"
        + "\"127.0.0.1:5000\":{\"username\":\"pusher\",\"password\":\"s3cr3t-p@ss\\\"word\"},"
        + "\"registry.example\":{\"auth\":\""
        + new Credential("u2", "p2:x").toDockerAuth() + "\"}}}"));
    assertEquals(Map.of("127.0.0.1:5000", new Credential("pusher", SECRET),
        "registry.example", new Credential("u2", "p2:x")), read);
    assertEquals(Map.of(), RegistryAuthInput.read(in("{\"auths\":{}}\n")));
  }

  @Test
  void badInput_isOneLineThatNeverQuotesTheInput() {
    for (String bad : new String[] {"", "  \n", "s3cr3t-p@ss", "{\"auths\":{\"h\":{\"username\":"
        + "\"u\",\"password\":s3cr3t-p@ss}}}", "{\"auths\":[\"s3cr3t-p@ss\"]}",
        "{\"auths\":{\"h\":{\"username\":\"u\"}}}", "{\"auths\":{\"h\":\"s3cr3t-p@ss\"}}",
        "{\"auths\":{\"h\":{\"auth\":\"s3cr3t-p@ss\"}}}", "[1]", "null"}) {
      IOException e = assertThrows(IOException.class, () -> RegistryAuthInput.read(in(bad)), bad);
      assertTrue(e.getMessage().startsWith("Tried to read registry credentials from stdin "
          + "(--registry-auth-stdin) but failed because: "), e.getMessage());
      assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
  }

  @Test
  void tooMuchInput_isRefusedWithoutReadingItAll() {
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return ' ';
      }
    };
    IOException e = assertThrows(IOException.class, () -> RegistryAuthInput.read(endless));
    assertTrue(e.getMessage().contains("larger than"), e.getMessage());
  }

  @Test
  void option_isHiddenFromHelp_andRoutesLikeTheOtherGlobalOptions() {
    assertArrayEquals(new String[] {"--registry-auth-stdin", "build", "."},
        Main.withImplicitBuild(new String[] {"--registry-auth-stdin", "."}));
    assertEquals(java.util.Set.of("push"),
        Main.commandsToModel(new String[] {"--registry-auth-stdin", "push", "a"}));
    StringWriter out = new StringWriter();
    assertEquals(0, Main.execute(new String[] {"build", "--help"}, new PrintWriter(out),
        new PrintWriter(new StringWriter())));
    assertFalse(out.toString().contains("registry-auth"), out.toString());
  }

  @Test
  void contextFromStdin_andCredentialsFromStdin_isOneLineError() {
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"--root", System.getProperty("java.io.tmpdir")
        + "/jbuild-auth-input-test", "--registry-auth-stdin", "build", "-"},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(1, code, err.toString());
    assertEquals("error: --registry-auth-stdin and a context or Dockerfile from stdin (-) "
        + "cannot share stdin: give the context as a directory", err.toString().strip());
  }
}
