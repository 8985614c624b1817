package dev.jbuild.parser;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of the text files jbuild reads from build input (the Dockerfile, {@code
 * .dockerignore}). {@link java.nio.file.Files#readString} fails on bad bytes with a bare "Input
 * length = 1", and {@code new String(bytes, UTF_8)} silently replaces them; both hide which file
 * and where, so every reader of such a file goes through here and reports the position instead.
 *
 * <p>Thread-safe (stateless).
 */
public final class Utf8Text {

  private Utf8Text() {}

  /**
   * Decodes {@code bytes} as UTF-8, rejecting malformed sequences and unmappable ones (such as
   * encoded surrogates).
   *
   * @throws InvalidUtf8Exception naming the line, column and value of the first invalid byte
   */
  public static String decode(byte[] bytes) throws InvalidUtf8Exception {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    // UTF-8 never gives more UTF-16 units than bytes.
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw invalidAt(bytes[in.position()] & 0xff, out.flip());
    }
    return out.flip().toString();
  }

  /** The position right after {@code before}, the text decoded ahead of the bad byte. */
  private static InvalidUtf8Exception invalidAt(int badByte, CharBuffer before) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < before.limit(); i++) {
      if (before.get(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int column = before.limit() - lineStart + 1;
    // A leading byte-order mark is not counted, as the parser removes it before counting columns.
    if (line == 1 && before.limit() > 0 && before.get(0) == '\uFEFF') {
      column--;
    }
    return new InvalidUtf8Exception(line, column, badByte);
  }
}
