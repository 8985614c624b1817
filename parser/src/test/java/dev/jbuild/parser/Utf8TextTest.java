package dev.jbuild.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Tests for {@link Utf8Text} and {@link DockerfileParser#parse(byte[], String)} (issue #10 item 6). */
class Utf8TextTest {

  private static byte[] bytes(String ascii, int... tail) {
    byte[] head = ascii.getBytes(StandardCharsets.UTF_8);
    byte[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
    for (int i = 0; i < tail.length; i++) {
      all[head.length + i] = (byte) tail[i];
    }
    return all;
  }

  @Test
  void decode_validText_isUnchanged() throws Exception {
    String text = "\uFEFFFROM scratch\r\nLABEL a=café b=\uD83D\uDE00\n";
    assertEquals(text, Utf8Text.decode(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void decode_latin1Byte_namesLineColumnAndByte() {
    InvalidUtf8Exception e = assertThrows(InvalidUtf8Exception.class,
        () -> Utf8Text.decode(bytes("FROM scratch\r\nLABEL a=caf", 0xE9, '\n')));
    assertEquals("2:12: invalid UTF-8: byte 0xe9", e.getMessage());
  }

  @Test
  void decode_columnsCountUtf16UnitsAndSkipTheByteOrderMark() {
    InvalidUtf8Exception e = assertThrows(InvalidUtf8Exception.class,
        () -> Utf8Text.decode(bytes("\uFEFF\u00e9\uD83D\uDE00", 0xFF)));
    assertEquals(1, e.line());
    assertEquals(4, e.column());
    assertEquals(0xFF, e.badByte());
  }

  @Test
  void decode_truncatedSequenceAtEnd_isRejected() {
    InvalidUtf8Exception e = assertThrows(InvalidUtf8Exception.class,
        () -> Utf8Text.decode(bytes("FROM a\n", 0xE2, 0x82)));
    assertEquals("2:1: invalid UTF-8: byte 0xe2", e.getMessage());
  }

  @Test
  void decode_encodedSurrogate_isRejected() {
    InvalidUtf8Exception e = assertThrows(InvalidUtf8Exception.class,
        () -> Utf8Text.decode(bytes("x", 0xED, 0xA0, 0x80)));
    assertEquals("1:2: invalid UTF-8: byte 0xed", e.getMessage());
  }

  @Test
  void parseBytes_invalidUtf8_isSyntaxErrorAtThatPosition() {
    DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
        () -> DockerfileParser.parse(bytes("FROM scratch\nRUN echo ", 0xC3, 0x28), "Dockerfile"));
    assertEquals("Dockerfile:2:10: invalid UTF-8: byte 0xc3", e.getMessage());
    assertEquals("invalid UTF-8: byte 0xc3", e.detail());
  }

  @Test
  void parseBytes_validUtf8_parses() throws Exception {
    Dockerfile d = DockerfileParser.parse("FROM scratch\nLABEL a=café\n"
        .getBytes(StandardCharsets.UTF_8), "Dockerfile");
    assertEquals(2, d.instructions().size());
  }
}
