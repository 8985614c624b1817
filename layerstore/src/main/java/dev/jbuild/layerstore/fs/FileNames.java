package dev.jbuild.layerstore.fs;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * File names as the kernel has them (bytes) and as jbuild's code handles them (strings), without
 * loss. Linux allows any byte but {@code /} and NUL in a name, and Docker/BuildKit copy, diff and
 * tar such names byte for byte; Java's {@link Path#toString()} decodes a name with {@code
 * sun.jnu.encoding} and replaces what does not decode (Latin-1 {@code caf\xe9} becomes {@code
 * caf\uFFFD}), so that string names the wrong file. The JDK keeps the raw bytes inside the {@link
 * Path} (a listing, {@code getFileName}, {@code resolve(Path)}, {@code relativize} preserve them)
 * and lets them out only as a {@code file:} URI ({@code %E9}), which is how this class reads and
 * makes them.
 *
 * <p>The string form ("escaped UTF-8") is the name's bytes decoded as UTF-8, with each byte that
 * is not part of valid UTF-8 mapped to the lone surrogate {@code U+DC00 + byte} ({@code
 * U+DC80..U+DCFF}), as Python's {@code surrogateescape} (PEP 383) does. Valid UTF-8 never decodes
 * to a lone surrogate, so the mapping is one to one and {@link #encode} gives the bytes back; a
 * name that is valid UTF-8 (nearly all) is its ordinary Java string. Tar headers, checksums and
 * the diff walk use {@link #encode}/{@link #decode}; code that turns a name into a host path uses
 * {@link #resolve}. Independent of the JVM's locale. Stateless and thread-safe.
 */
public final class FileNames {
  private static final Path ROOT = Path.of("/");
  private static final boolean JNU_UTF8 = "UTF-8".equalsIgnoreCase(
      System.getProperty("sun.jnu.encoding", "")) || "UTF8".equalsIgnoreCase(
      System.getProperty("sun.jnu.encoding", ""));
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private FileNames() {}

  /** The bytes of {@code name} (escaped UTF-8, see the class comment). */
  public static byte[] encode(String name) {
    if (!hasSurrogate(name)) {
      return name.getBytes(StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + 8);
    int i = 0;
    while (i < name.length()) {
      int start = i;
      while (i < name.length() && !isEscape(name.charAt(i))) {
        // A pair's low half can be in the escape range (U+10080 is D800 DC80): step over both.
        i += Character.isHighSurrogate(name.charAt(i)) && i + 1 < name.length()
            && Character.isLowSurrogate(name.charAt(i + 1)) ? 2 : 1;
      }
      if (i > start) {
        // A run without escapes; a lone surrogate that is not an escape cannot come from
        // decode() and becomes '?' as String.getBytes makes it.
        out.writeBytes(name.substring(start, i).getBytes(StandardCharsets.UTF_8));
      }
      while (i < name.length() && isEscape(name.charAt(i))) {
        out.write(name.charAt(i++) & 0xff);
      }
    }
    return out.toByteArray();
  }

  /** The escaped-UTF-8 string of the name bytes {@code bytes[offset, offset + length)}. */
  public static String decode(byte[] bytes, int offset, int length) {
    // The usual case, valid UTF-8, costs what new String costs (snapshots decode every name).
    String fast = new String(bytes, offset, length, StandardCharsets.UTF_8);
    if (fast.indexOf('\uFFFD') < 0) {
      return fast;
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
    CharBuffer out = CharBuffer.allocate(length);
    while (true) {
      CoderResult r = decoder.decode(in, out, true);
      if (r.isUnderflow()) {
        decoder.flush(out);
        break;
      }
      if (r.isError()) {
        for (int k = 0; k < r.length(); k++) {
          out.put((char) (0xDC00 | (in.get() & 0xff)));
        }
      } else {
        throw new IllegalStateException("UTF-8 decoding overflowed " + r); // cannot: 1 char/byte
      }
    }
    out.flip();
    return out.toString();
  }

  /** The escaped-UTF-8 string of all of {@code bytes}. */
  public static String decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  /** The name of the last element of {@code path} (its {@link Path#getFileName()}), escaped. */
  public static String name(Path path) {
    Path name = path.getFileName();
    return name == null ? "" : string(name);
  }

  /**
   * The whole of {@code path} (relative or absolute, for instance a symlink's target as {@code
   * readSymbolicLink} returns it) as an escaped-UTF-8 string.
   */
  public static String string(Path path) {
    String s = path.toString();
    if (exact(s)) {
      return s;
    }
    return decode(bytes(path));
  }

  /**
   * The bytes the kernel has for {@code path}: what a system call must be given to reach the same
   * file. A relative path stays relative.
   */
  public static byte[] bytes(Path path) {
    String s = path.toString();
    if (exact(s)) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (path.getFileSystem() != FileSystems.getDefault()) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    boolean absolute = path.isAbsolute();
    // toUri() writes every byte that is not plain ASCII as %XX; a relative path is taken from
    // "/" so that the working directory does not end up in it.
    String raw = (absolute ? path : ROOT.resolve(path)).toUri().getRawPath();
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        out.write(Integer.parseInt(raw, i + 1, i + 3, 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    byte[] b = out.toByteArray();
    int from = absolute ? 0 : 1;
    int to = b.length;
    if (to - from > 1 && b[to - 1] == '/') {
      to--; // toUri() marks a directory (or a link to one) with a trailing slash
    }
    return java.util.Arrays.copyOfRange(b, from, to);
  }

  /**
   * The path for the escaped-UTF-8 string {@code name}, relative if {@code name} is: the inverse
   * of {@link #string}, for instance for a symlink target from a tar header.
   */
  public static Path path(String name) {
    if (plain(name)) {
      return Path.of(name);
    }
    // Name by name: a file: URI is normalized on the way in ("a/../b" would become "b"), so
    // only single names that need their bytes go through one, and those cannot be "." or "..".
    Path p = name.startsWith("/") ? ROOT : Path.of("");
    for (String part : name.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      p = p.resolve(plain(part) ? Path.of(part) : ROOT.relativize(fromBytes(rooted(part))));
    }
    return p;
  }

  /** "/" and the bytes of {@code part}. */
  private static byte[] rooted(String part) {
    byte[] b = encode(part);
    byte[] out = new byte[b.length + 1];
    out[0] = '/';
    System.arraycopy(b, 0, out, 1, b.length);
    return out;
  }

  /**
   * {@code dir} resolved against {@code rel}, a name or a relative path of names separated by
   * {@code /} in escaped UTF-8: {@code dir.resolve(rel)} for the names {@code Path} can spell.
   */
  public static Path resolve(Path dir, String rel) {
    if (plain(rel) || dir.getFileSystem() != FileSystems.getDefault()) {
      return dir.resolve(rel);
    }
    return dir.resolve(path(rel));
  }

  /** True when {@code name} needs the byte path ({@link #encode}) to reach its file. */
  public static boolean isEscaped(String name) {
    return !plain(name);
  }

  private static Path fromBytes(byte[] absolute) {
    StringBuilder uri = new StringBuilder(absolute.length * 3 + 8).append("file://");
    for (byte x : absolute) {
      int c = x & 0xff;
      if (c == 0) {
        throw new IllegalArgumentException("a file name cannot contain NUL");
      }
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
        uri.append((char) c);
      } else {
        uri.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
      }
    }
    return Path.of(URI.create(uri.toString()));
  }

  /** True when {@link Path#toString()} gave exactly the bytes' escaped-UTF-8 string. */
  private static boolean exact(String s) {
    if (JNU_UTF8) {
      return s.indexOf('\uFFFD') < 0; // a decoding that replaced nothing is exact
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80 || c == '?') {
        return false; // ASCII decoding turns every other byte into '?'
      }
    }
    return true;
  }

  /** True when {@code Path.of(s)} names the bytes {@code encode(s)}. */
  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80 && (!JNU_UTF8 || Character.isSurrogate(c))) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isEscape(char c) {
    return c >= 0xDC80 && c <= 0xDCFF;
  }
}
